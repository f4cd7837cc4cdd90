import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A stored object: its bytes and the content type to serve them with. */
export interface StoredBlob {
  bytes: Buffer;
  contentType: string;
}

/**
 * Port for image and other binary storage, keyed by slash-separated paths such as `pins/123/600x.jpg`.
 * A local directory today; an S3-compatible bucket can implement the same three calls.
 */
export interface BlobStore {
  /** Stores bytes under key, replacing any previous object atomically (readers see old or new, never half). */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The object under key, or undefined. */
  get(key: string): Promise<StoredBlob | undefined>;
  /** Removes every object whose key starts with the given `a/b/` prefix (or equals the given key). */
  delete(prefix: string): Promise<void>;
}

/** Thrown for a key that could escape the store or is not a plain relative path. */
export class InvalidBlobKey extends Error {
  constructor(readonly key: string) {
    super(`Invalid blob key: ${JSON.stringify(key)}`);
    this.name = 'InvalidBlobKey';
  }
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const TYPE_SUFFIX = '.content-type';
const TEMP_SUFFIX = '.tmp';

/**
 * Accepts only `seg/seg/...` with conservative segment characters, so no `..`, no absolute or drive paths,
 * no backslashes or NULs, and no names that collide with the adapter's own sidecar and temp files.
 */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  const ok =
    key.length <= 1024 &&
    segments.every((s) => SEGMENT.test(s) && !s.includes('..')) &&
    !key.endsWith(TYPE_SUFFIX) &&
    !key.endsWith(TEMP_SUFFIX);
  if (!ok) throw new InvalidBlobKey(key);
}

/**
 * BlobStore over a local directory. Each object is a file plus a `.content-type` sidecar; both are written
 * to a temp file and renamed, which is atomic on one filesystem. The sidecar is renamed first, so a reader
 * never pairs new bytes with a stale type for longer than between the two renames.
 */
export class LocalBlobStore implements BlobStore {
  private readonly root: string;

  constructor(baseDir: string) {
    this.root = path.resolve(baseDir);
  }

  private fileFor(key: string): string {
    assertBlobKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    // Belt and braces: the regex already rules this out.
    if (!file.startsWith(this.root + path.sep)) throw new InvalidBlobKey(key);
    return file;
  }

  private async writeAtomically(file: string, data: Buffer | string): Promise<void> {
    const temp = `${file}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    try {
      await writeFile(temp, data);
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    const file = this.fileFor(key);
    await mkdir(path.dirname(file), { recursive: true });
    await this.writeAtomically(file + TYPE_SUFFIX, contentType);
    await this.writeAtomically(file, bytes);
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const file = this.fileFor(key);
    try {
      const [bytes, contentType] = await Promise.all([readFile(file), readFile(file + TYPE_SUFFIX, 'utf8')]);
      return { bytes, contentType };
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code === 'ENOENT' ||
        (err as NodeJS.ErrnoException).code === 'EISDIR'
      ) {
        return undefined;
      }
      throw err;
    }
  }

  async delete(prefix: string): Promise<void> {
    const trimmed = prefix.replace(/\/$/, '');
    const target = this.fileFor(trimmed);
    // A prefix names a directory (`pins/123/`) or a single object (`pins/123/600x.jpg`); remove either.
    await Promise.all([
      rm(target, { recursive: true, force: true }),
      rm(target + TYPE_SUFFIX, { force: true }),
    ]);
  }
}
