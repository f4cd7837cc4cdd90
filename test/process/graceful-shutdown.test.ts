import http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dropIsolation, testConfig, testEnv } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';
import { Children, get, STARTUP_MS, startProbe } from './child.js';

const SHUTDOWN_TIMEOUT_MS = 5000;

describe(`SIGTERM while a request is in flight (${testMode()})`, () => {
  const children = new Children();
  const isolation = `gs${Date.now().toString(36)}`;
  const env = testEnv({ LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }, isolation);
  afterEach(() => children.stopAll());
  afterAll(() => dropIsolation(testConfig({ ...env })));

  it('finishes the request, refuses new connections, and exits 0 within the timeout', {
    timeout: 4 * STARTUP_MS,
  }, async () => {
    const server = children.add(startProbe('server', 'serve', env));
    const url = await server.address(STARTUP_MS);

    // An idle keep-alive connection must not hold the shutdown up (Fastify keeps them for 72 s).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const idle = await new Promise<number>((resolve, reject) => {
        http
          .get(`${url}/healthz`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
      expect(idle).toBe(200);

      let slowDone = false;
      const slow = get(`${url}/test/slow?ms=1500`).finally(() => {
        slowDone = true;
      });
      await server.waitProbe('slow-started');
      const signalled = Date.now();
      server.kill('SIGTERM');
      await server.waitProbe('closing');

      // The listener closes at once, while the slow request is still being served.
      const refused = await pollUntilRefused(`${url}/healthz`, 2000);
      expect(refused).toBe('ECONNREFUSED');
      expect(slowDone).toBe(false);
      expect(server.exit).toBeUndefined();

      const response = await slow;
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ slept: 1500 });

      const exit = await server.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect(server.stderr).not.toContain('shutdown timed out');
    } finally {
      agent.destroy();
    }
  });
});

/** Connects afresh until the connection is refused; returns the error code, or 'served' past the deadline. */
async function pollUntilRefused(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      // A connection accepted just before the listener closed may still get an answer (503 while closing).
      await get(url, 1000);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED') return code;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return 'served';
}
