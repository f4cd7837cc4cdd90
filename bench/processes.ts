import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A child server that has printed its listening address. */
export interface Child {
  name: string;
  url: string;
  process: ChildProcess;
}

const READY = /listening on (http:\/\/\S+)/;
const children = new Set<ChildProcess>();

/** Asks the OS for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node --import tsx <args>` and resolves once it prints "listening on http://…" (or matches
 * `ready`, whose first group, if any, becomes the url).
 */
export function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  ready: RegExp = READY,
): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${name} ${why}\n--- last output ---\n${output.trim()}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
    child.once('error', (err) => fail(`could not be spawned: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`));
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = settled ? null : ready.exec(output);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve({ name, url: match[1] ?? '', process: child });
      }
    });
  });
}

/** Stops every child still running: SIGTERM, then SIGKILL after graceMs. */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  children.clear();
}

/** Last-resort synchronous cleanup for process 'exit': SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Runs `node --import tsx <args>` to completion; resolves with its stdout, rejects on a non-zero exit. */
export function runCommand(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`${name} could not be spawned: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${name} failed (code ${code}, signal ${signal})\n--- last output ---\n${(stderr || stdout).slice(-4000).trim()}`,
          ),
        );
    });
  });
}

/**
 * CPU time (user + system) a child has used so far, in seconds, of all its threads or of its main thread
 * alone; Linux only (/proc).
 */
export function cpuSeconds(pid: number, mainThreadOnly = false): number {
  // A process's main thread is the task with the process's own id; its stat counts that thread alone.
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this bench runs on. */
const CLOCK_TICKS = 100;

/**
 * Runs a bench entry point: child servers are stopped on SIGINT/SIGTERM and killed on exit, and a
 * failure is printed and sets exit code 1.
 */
export async function runBench(main: () => Promise<void>): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping servers\n`);
      stopAll(2000).finally(() => process.exit(130));
    });
  }
  process.once('exit', killAllNow);
  try {
    await main();
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
