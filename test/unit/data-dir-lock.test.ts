import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/platform/db/database.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('embedded data directory lock', () => {
  it('takes a free directory and releases it', () => {
    const dir = tempDir();
    const unlock = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'corkboard.pid'), 'utf8')).toBe(String(process.pid));
    unlock();
    expect(fs.existsSync(path.join(dir, 'corkboard.pid'))).toBe(false);
  });

  it('refuses a directory a live process holds, naming it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'corkboard.pid'), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(`is in use by process ${process.ppid}`);
    expect(fs.readFileSync(path.join(dir, 'corkboard.pid'), 'utf8')).toBe(String(process.ppid));
  });

  it('refuses while another process is still writing its pid', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'corkboard.pid'), '');
    expect(() => lockDataDir(dir)).toThrow('(starting)');
  });

  it('takes over from a process that died without releasing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'corkboard.pid'), String(deadPid()));
    const unlock = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'corkboard.pid'), 'utf8')).toBe(String(process.pid));
    expect(fs.readdirSync(dir)).toEqual(['corkboard.pid']);
    unlock();
  });
});
