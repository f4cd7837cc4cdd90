import { MAX_UPLOAD_BYTES, type UploadType } from '../../api/create.js';

/** A size in words: "850 KB", "12.4 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** What a picture's first bytes say it is: PNG or JPEG (the types the API takes), else undefined. */
export function sniffType(head: Uint8Array): UploadType | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

/** Why a chosen file cannot be uploaded, in words; undefined when its size and kind look right. */
export function fileProblem(file: { name: string; type: string; size: number }, max = MAX_UPLOAD_BYTES) {
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.type && file.type !== 'image/png' && file.type !== 'image/jpeg') {
    const kind = file.type.startsWith('image/')
      ? `a ${file.type.slice(6).toUpperCase()} picture`
      : 'not a picture';
    return `“${file.name}” is ${kind}. Choose a JPEG or PNG picture.`;
  }
  if (file.size > max) {
    return `“${file.name}” is ${formatBytes(file.size)}; the largest picture Corkboard takes is ${formatBytes(max)}.`;
  }
  return undefined;
}

/** Why a typed address is not a web address (http or https), in words; undefined when it is one. */
export function urlProblem(value: string, what: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return `The ${what} is not a web address. Type it in full, starting with https:// or http://.`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return `The ${what} must start with https:// or http://.`;
  }
  return undefined;
}

/** The base64 of bytes (the API's image_base64), in pieces so a large picture does not overflow the stack. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
