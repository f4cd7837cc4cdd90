/**
 * Raw node:http baseline for the benches: answers each request with a fixed body and content-type.
 *
 * By default every request gets Corkboard's /healthz body (`npm run bench`). With BASELINE_ROUTES set to
 * a JSON file `{ "<path>": { "body": "...", "contentType": "..." } }`, a request whose URL (path and
 * query) is in the map gets that entry; any other URL still gets the /healthz body. Listens on
 * 127.0.0.1:$PORT and prints its address when ready.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BASELINE_BODY, BASELINE_CONTENT_TYPE } from './routes.js';

/** One canned answer of the baseline server. */
export interface BaselineAnswer {
  body: string;
  contentType: string;
}

interface Prepared {
  body: Buffer;
  headers: { 'content-type': string; 'content-length': number };
}

function prepare(answer: BaselineAnswer): Prepared {
  const body = Buffer.from(answer.body);
  return { body, headers: { 'content-type': answer.contentType, 'content-length': body.length } };
}

const fallback = prepare({ body: BASELINE_BODY, contentType: BASELINE_CONTENT_TYPE });
const answers = new Map<string, Prepared>();
const file = process.env.BASELINE_ROUTES;
if (file) {
  const map = JSON.parse(readFileSync(file, 'utf8')) as Record<string, BaselineAnswer>;
  for (const [path, answer] of Object.entries(map)) answers.set(path, prepare(answer));
}

const server = createServer((req, res) => {
  const answer = answers.get(req.url ?? '/') ?? fallback;
  res.writeHead(200, answer.headers);
  res.end(answer.body);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`Baseline listening on http://127.0.0.1:${port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
