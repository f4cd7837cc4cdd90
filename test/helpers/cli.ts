import { spawn } from 'node:child_process';
import { ROOT } from '../process/child.js';

/**
 * Runs `corkboard ARGS` (the TypeScript entry point) on its own in-memory database and resolves with its
 * exit code and output. Each run is a fresh, empty database.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'memory://', REDIS_URL: '', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
