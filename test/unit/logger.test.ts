import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { chooseLogFormat, createLogger, requestLogLevel } from '../../src/platform/logger.js';
import { startTestApp } from '../helpers/app.js';

describe('chooseLogFormat', () => {
  it.each([
    // LOG_FORMAT, stdout is a terminal, NODE_ENV -> format
    ['auto', true, undefined, 'pretty'],
    ['auto', true, 'development', 'pretty'],
    ['auto', true, 'test', 'pretty'],
    ['auto', true, 'production', 'json'],
    ['auto', false, undefined, 'json'],
    ['auto', false, 'development', 'json'],
    ['json', true, undefined, 'json'],
    ['pretty', false, 'production', 'pretty'],
  ] as const)('LOG_FORMAT=%s, terminal %s, NODE_ENV=%s: %s', (setting, isTty, nodeEnv, expected) => {
    expect(chooseLogFormat(setting, { isTty, nodeEnv })).toBe(expected);
  });

  it('reads LOG_FORMAT (auto by default) and refuses anything else, naming it', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });
});

describe('the process logger', () => {
  // A readable logger at info, as `npm start` at a terminal makes it.
  const quietLog = createLogger(
    { logLevel: 'info', logFormat: 'pretty' },
    { isTty: false, nodeEnv: undefined },
  );
  let quietApp: App;
  beforeAll(async () => {
    quietApp = await startTestApp({ log: quietLog, modules: [] });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** What the logger writes to stdout while `run` runs. */
  async function stdoutOf(run: () => Promise<void>): Promise<string> {
    let written = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
    await run();
    vi.restoreAllMocks();
    return written;
  }

  it('writes readable lines at a terminal in development, JSON in production', async () => {
    const piped = createLogger({ logLevel: 'info', logFormat: 'auto' }, { isTty: false, nodeEnv: undefined });
    expect(requestLogLevel(piped)).toBe('info');
    const dev = createLogger({ logLevel: 'info', logFormat: 'pretty' }, { isTty: false, nodeEnv: undefined });
    expect(requestLogLevel(dev)).toBe('debug');
    const line = await stdoutOf(async () =>
      dev.info({ user: { name: 'ann', password: 'hunter22' } }, 'signed in'),
    );
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: signed in\n/);
    expect(line).toContain('[redacted]');
    expect(line).not.toContain('hunter22');
    const prod = createLogger(
      { logLevel: 'info', logFormat: 'auto' },
      { isTty: true, nodeEnv: 'production' },
    );
    expect(requestLogLevel(prod)).toBe('info');
  });

  it('logs each request at debug when readable: not at info, one line each at debug', async () => {
    const atInfo = await stdoutOf(async () => {
      expect((await quietApp.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await quietApp.http.inject({ method: 'GET', url: '/v5/nowhere' })).statusCode).toBe(404);
    });
    expect(atInfo).toBe('');
    quietLog.level = 'debug';
    const atDebug = await stdoutOf(async () => {
      await quietApp.http.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'look-1' } });
    });
    expect(atDebug).toMatch(/DEBUG: \[look-1\] incoming request GET \/healthz\n/);
    expect(atDebug).toMatch(/DEBUG: \[look-1\] request completed GET \/healthz 200 in \d+\.\d ms\n/);
    expect(atDebug).not.toContain('{"');
  });
});
