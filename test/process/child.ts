import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How long a child may take to start. An embedded child initialises a fresh PGlite data directory (about
 * 7 s of CPU on the 2-core machine), and the suite starts several children in parallel with other tests.
 */
export const STARTUP_MS = 90_000;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PROBE_FIXTURE = path.join(ROOT, 'test/fixtures/probe-process.ts');

/** One JSON line a child printed on stdout (the fixture's `probe` lines and pino's log lines). */
export type Line = Record<string, unknown>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running fixture process whose stdout is parsed line by line. */
export class Child {
  readonly proc: ChildProcess;
  readonly lines: Line[] = [];
  /** Lines of stdout that are not JSON (what a person reads, e.g. the demo banner). */
  readonly text: string[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private waiters: { match: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
  ) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          this.text.push(text);
          continue;
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Resolves with the first line (already printed or still to come) that matches; rejects on exit or timeout. */
  waitFor(match: (l: Line) => boolean, timeoutMs = 20_000): Promise<Line> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name}: no matching line within ${timeoutMs} ms${this.describe()}`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (l: Line) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited (${exit.code ?? exit.signal}) before the line${this.describe()}`),
        );
      });
    });
  }

  /** Waits for the fixture's `{"probe": kind}` line. */
  waitProbe(kind: string, timeoutMs?: number): Promise<Line> {
    return this.waitFor((l) => l.probe === kind, timeoutMs);
  }

  /** Base URL once the fixture says it is listening. */
  async address(timeoutMs?: number): Promise<string> {
    return String((await this.waitProbe('listening', timeoutMs)).address);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.proc.kill(signal);
  }

  /** SIGKILLs the child if it is still running and waits for it to be gone. */
  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }

  private describe(): string {
    return this.stderr ? `\nstderr:\n${this.stderr.slice(-2000)}` : '';
  }
}

/** Starts the probe fixture in `role` with the given configuration. */
export function startProbe(name: string, role: string, env: Record<string, string>): Child {
  return new Child(name, [PROBE_FIXTURE, role], env);
}

/** Children started by a test file, for afterEach/afterAll to SIGKILL. */
export class Children {
  private readonly all: Child[] = [];
  add(child: Child): Child {
    this.all.push(child);
    return child;
  }
  async stopAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((c) => c.stop()));
  }
}

export interface HttpResult {
  status: number;
  body: string;
}

/** GET over a fresh connection (no pooling), so connecting is part of each request. */
export function get(url: string, timeoutMs = 10_000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
