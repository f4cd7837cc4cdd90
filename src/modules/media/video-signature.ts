/** Video containers recognised by their first bytes, with the content type we store them under. */
export type VideoContainer = 'mp4' | 'quicktime' | 'webm' | 'matroska';

export const CONTAINER_CONTENT_TYPE: Record<VideoContainer, string> = {
  mp4: 'video/mp4',
  quicktime: 'video/quicktime',
  webm: 'video/webm',
  matroska: 'video/x-matroska',
};

/** How many leading bytes `sniffVideo` wants to see (fewer is fine at the end of a short file). */
export const SNIFF_BYTES = 64;

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
// The EBML DocType element (ID 0x4282) with a one-byte size of 4, then "webm".
const WEBM_DOCTYPE = Buffer.from([0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d]);

/**
 * Which video container the bytes start with, or undefined. ISO BMFF (MP4, MOV, 3GP...) files open with
 * an `ftyp` box: a 32-bit size of at least 16 (size, type, major brand, minor version), `ftyp`, and a
 * printable four-character brand. Matroska and WebM open with the EBML header magic; the DocType inside
 * says which. This is a sanity check on what a client calls a video, not a parse of the file.
 */
export function sniffVideo(head: Buffer): VideoContainer | undefined {
  if (head.length >= 16 && head.toString('latin1', 4, 8) === 'ftyp') {
    const size = head.readUInt32BE(0);
    const brand = head.toString('latin1', 8, 12);
    if ((size === 1 || size >= 16) && /^[\x20-\x7e]{4}$/.test(brand)) {
      return brand === 'qt  ' ? 'quicktime' : 'mp4';
    }
    return undefined;
  }
  if (head.length >= EBML_MAGIC.length && head.subarray(0, EBML_MAGIC.length).equals(EBML_MAGIC)) {
    return head.subarray(0, SNIFF_BYTES).includes(WEBM_DOCTYPE) ? 'webm' : 'matroska';
  }
  return undefined;
}
