import { randomBytes } from 'node:crypto';

/** A minimal ISO BMFF file: an `ftyp` box (brand isom) and a `free` box of filler. */
export function fakeMp4(filler = 64): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2'),
  ]);
  const free = Buffer.alloc(8 + filler, 0x2a);
  free.writeUInt32BE(8 + filler, 0);
  free.write('free', 4, 'latin1');
  return Buffer.concat([ftyp, free]);
}

export type FormPart = { name: string; value: string } | { name: string; bytes: Buffer; type?: string };

/** A multipart/form-data body with the parts in the order given. */
export function multipartBody(parts: FormPart[]) {
  const boundary = `----corkboard${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
        ),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="clip.mp4"\r\n` +
            `Content-Type: ${part.type ?? 'video/mp4'}\r\n\r\n`,
        ),
        part.bytes,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** The fields in order, then the file as the `file` part. */
export function form(fields: Record<string, string>, file?: { bytes: Buffer }) {
  const parts: FormPart[] = Object.entries(fields).map(([name, value]) => ({ name, value }));
  if (file) parts.push({ name: 'file', bytes: file.bytes });
  return multipartBody(parts);
}
