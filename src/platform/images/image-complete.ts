import type { SourceFormat } from './process-image.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const GIF_TRAILER = 0x3b;

/** Whether a PNG's chunks, walked from the signature, reach IEND inside the buffer. */
function pngComplete(bytes: Buffer): boolean {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
  let offset = 8;
  // Each chunk: 4-byte length, 4-byte type, data, 4-byte CRC.
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) return false;
    if (bytes.toString('latin1', offset + 4, offset + 8) === 'IEND') return true;
    offset = end;
  }
  return false;
}

/**
 * Whether the file ends where its format says it should. A full decode catches most truncation, but not
 * all: libpng decodes every pixel of a PNG cut anywhere after its last IDAT, and the GIF decoder accepts a
 * file missing its trailer byte. JPEG (a missing EOI is a decoder warning), WebP (RIFF length) and AVIF
 * (box sizes) are checked by their decoders, so they answer true here.
 */
export function endsWhereFormatSays(bytes: Buffer, format: SourceFormat): boolean {
  switch (format) {
    case 'png':
      return pngComplete(bytes);
    case 'gif':
      return bytes[bytes.length - 1] === GIF_TRAILER;
    default:
      return true;
  }
}
