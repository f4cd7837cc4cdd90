// Builds the web app (web/ -> web/dist) when it is missing or older than its sources; `npm start` runs
// it first, so a fresh clone serves the app with no extra step. `--force` builds whatever the dates say.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = path.join(root, 'web');
const built = path.join(web, 'dist', 'index.html');

/** The newest modification time among `entries` (files, or folders searched throughout). */
function newest(entries) {
  let latest = 0;
  for (const entry of entries) {
    if (!existsSync(entry)) continue;
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      latest = Math.max(latest, newest(readdirSync(entry).map((name) => path.join(entry, name))));
    } else {
      latest = Math.max(latest, stat.mtimeMs);
    }
  }
  return latest;
}

const sources = [
  path.join(web, 'src'),
  path.join(web, 'index.html'),
  path.join(web, 'vite.config.ts'),
  path.join(root, 'package-lock.json'),
];
const force = process.argv.includes('--force');
if (!force && existsSync(built) && statSync(built).mtimeMs >= newest(sources)) {
  process.stdout.write('web app is up to date (web/dist)\n');
} else {
  const { build } = await import('vite');
  await build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  process.stdout.write('web app built (web/dist)\n');
}
