import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll } from 'vitest';

/** A small PNG or JPEG of one colour, with a shape so images differ in structure as well as colour. */
export async function makeImage(
  opts: { width?: number; height?: number; color?: string; format?: 'png' | 'jpeg' } = {},
): Promise<Buffer> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const circle = Buffer.from(
    `<svg width="${width}" height="${height}"><circle cx="${width / 3}" cy="${height / 2}" r="${height / 4}" fill="#ffffff"/></svg>`,
  );
  const img = sharp({
    create: { width, height, channels: 3, background: opts.color ?? '#3366cc' },
  }).composite([{ input: circle }]);
  return opts.format === 'jpeg' ? img.jpeg().toBuffer() : img.png().toBuffer();
}

/** A loopback HTTP server serving the given files; closed after the test file. */
export async function serveFiles(
  files: Record<string, { body: Buffer | string; type: string }>,
): Promise<string> {
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
