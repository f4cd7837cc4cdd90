import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseTokenDays } from '../../src/cli/dev-commands.js';
import { ROOT } from '../process/child.js';

/** Runs the CLI and resolves with its exit code and stderr. */
function corkboard(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: ROOT,
      // No database is opened for a refused --days; a memory one keeps a mistake from touching disk.
      env: { ...process.env, DATABASE_URL: 'memory://', REDIS_URL: '', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    proc.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('corkboard token --days', () => {
  it('accepts plain decimal days from one minute to 3650', () => {
    expect(parseTokenDays(undefined)).toBe(30);
    expect(parseTokenDays('1')).toBe(1);
    expect(parseTokenDays('0.5')).toBe(0.5);
    expect(parseTokenDays('0.0007')).toBe(0.0007);
    expect(parseTokenDays('3650')).toBe(3650);
  });

  it.each(['0.00001', '0', '-1', '3651', '1e3', 'Infinity', 'NaN', 'thirty', '', ' '])(
    'refuses %j with the reason, never a silent default',
    (raw) => {
      expect(() => parseTokenDays(raw)).toThrow(/--days must be a number of days from 0.0007/);
    },
  );

  it('refuses a value-less --days', () => {
    expect(() => parseTokenDays(true)).toThrow(/--days/);
  });

  it('exits 2 with the message for a too-small value', { timeout: 120_000 }, async () => {
    const { code, stderr } = await corkboard([
      'token',
      '--user',
      'x',
      '--scopes',
      'pins:read',
      '--days',
      '0.00001',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--days must be a number of days from 0.0007 \(one minute\) to 3650.*"0.00001"/);
  });
});
