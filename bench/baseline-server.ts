/**
 * Raw node:http baseline for `npm run bench`: answers every request with the same body and
 * content-type as Corkboard's /healthz. Listens on 127.0.0.1:$PORT and prints its address when ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BASELINE_BODY, BASELINE_CONTENT_TYPE } from './routes.js';

const body = Buffer.from(BASELINE_BODY);
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': BASELINE_CONTENT_TYPE, 'content-length': body.length });
  res.end(body);
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
