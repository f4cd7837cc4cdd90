/**
 * Walks the top-level boxes of an ISO BMFF file (MP4, MOV) as its bytes stream past, holding at most one
 * box header: each box opens with a 32-bit size and a four-character type, a size of 1 puts a 64-bit size
 * after the type, and a size of 0 means "to the end of the file". The file is whole when the sizes add
 * up to exactly its length, which a truncated upload, or any bytes appended after a real `ftyp` header,
 * fail. It is a structural check only: what is inside the boxes is not parsed.
 */
export class BmffWalker {
  /** Offset of the next box header in the whole stream. */
  private next = 0;
  /** Bytes seen so far. */
  private seen = 0;
  /** Bytes of the header being read (up to 16), when it straddles chunks. */
  private header: Buffer[] = [];
  private headerBytes = 0;
  /** A size-0 box runs to the end: nothing after its header is walked. */
  private toEnd = false;
  private problem: string | undefined;

  /** Feeds the next bytes of the stream. */
  push(chunk: Buffer): void {
    let at = 0;
    while (!this.problem && !this.toEnd && at < chunk.length) {
      const chunkStart = this.seen;
      if (chunkStart + at < this.next) {
        at = Math.min(chunk.length, this.next - chunkStart);
        continue;
      }
      const want = this.headerWanted();
      const take = chunk.subarray(at, at + (want - this.headerBytes));
      this.header.push(take);
      this.headerBytes += take.length;
      at += take.length;
      if (this.headerBytes < want) break;
      const head = Buffer.concat(this.header);
      // A 32-bit size of 1 means the 64-bit size follows: read 16 bytes before deciding.
      if (head.readUInt32BE(0) === 1 && head.length < 16) continue;
      this.openBox(head);
    }
    this.seen += chunk.length;
  }

  /** Why the file is not a whole BMFF file, or undefined once it is (call after the last push). */
  finish(): string | undefined {
    if (this.problem) return this.problem;
    if (this.toEnd) return undefined;
    if (this.headerBytes > 0 || this.next !== this.seen) return 'the file ends inside a box (truncated?)';
    return undefined;
  }

  private headerWanted(): number {
    if (this.headerBytes >= 8 && Buffer.concat(this.header).readUInt32BE(0) === 1) return 16;
    return 8;
  }

  private openBox(head: Buffer): void {
    this.header = [];
    this.headerBytes = 0;
    const size32 = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      this.problem = 'a box has no readable type';
      return;
    }
    if (size32 === 0) {
      this.toEnd = true;
      return;
    }
    const size = size32 === 1 ? Number(head.readBigUInt64BE(8)) : size32;
    if (size < head.length || !Number.isSafeInteger(size)) {
      this.problem = `the ${type.trim()} box has an impossible size`;
      return;
    }
    this.next += size;
  }
}
