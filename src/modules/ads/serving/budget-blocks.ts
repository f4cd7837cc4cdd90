import type { Logger } from '../../../platform/logger.js';
import type {
  ReserveRequest,
  ReserveResult,
  SpendCap,
  SpendStore,
} from '../../../platform/spend/spend-store.js';

/** How budget blocks are sized and how long a node hands one out. */
export interface BlockSettings {
  /** How long a node hands out of one block before it gives the rest back (ADS_BUDGET_BLOCK_MS). */
  readonly windowMs: number;
  /** A new block's size in parts (the first request's amount) ... */
  readonly firstParts: number;
  /** ...and the most it grows to: doubled after a block ran out within its window, halved after one left over half. */
  readonly maxParts: number;
}

export const DEFAULT_BLOCKS: BlockSettings = { windowMs: 1_000, firstParts: 4, maxParts: 256 };

/** A block holds at most 1/CAP_SHARE of its tightest cap (unless its requests need more). */
const CAP_SHARE = 64;

/** Keys whose block size a node remembers, at most. */
const MAX_SIZED_KEYS = 10_000;

/** A block to open: its key, its reservation request, and the smallest part it is opened for. */
interface Wanted {
  readonly key: string;
  readonly request: ReserveRequest;
  readonly least: number;
}

interface Block {
  /** The block's reservation in the spend store: every part handed out of it settles against it. */
  readonly id: string;
  readonly size: number;
  remaining: number;
  /** Epoch ms until which parts are handed out of it. */
  readonly openUntil: number;
  /** A part did not fit in what was left before the window ended. */
  ranOut: boolean;
  /** Its successor is being opened (ahead of need). */
  renewing: boolean;
}

/**
 * Budget held per node in blocks, handed out in process. Reserving in the shared spend store for every
 * ad served costs a Redis script per page (about 100 µs of Redis a reservation); instead a node reserves a
 * block of budget for an ad group's keys (one reservation, atomic against the caps as any other) and
 * hands parts of it to the ads it serves for BLOCK windowMs, with no store call. Billing settles each part
 * against the block (SettleItem.part, once per charge). When the window ends, or the block is replaced,
 * what was never handed out is given back (SpendStore.giveBack), so at most one window's block per node
 * and key is held beyond what was served.
 *
 * Caps still hold to the micro: a block is reserved atomically within every cap, and parts come out of
 * it. A block lives for its window plus the longest hold of its parts (the request's ttl), so every part
 * is covered until its own hold would have expired. A block's size adapts to the node's demand on the
 * key, up to 1/CAP_SHARE of its tightest cap; when a cap has less room than a block, the block takes what
 * room there is.
 */
export class BudgetBlocks {
  private readonly blocks = new Map<string, Block>();
  private readonly parts = new Map<string, number>();
  private readonly opening = new Map<string, Promise<void>>();
  private nextSweep = 0;

  constructor(
    private readonly spend: SpendStore,
    private readonly settings: BlockSettings = DEFAULT_BLOCKS,
    private readonly log?: Logger,
  ) {}

  /**
   * Holds for each request, in order, as SpendStore.reserveMany answers: from the key's open block, or
   * from a new one (one store call for all the blocks a call needs). A refusal is the store's.
   */
  async reserveMany(requests: readonly ReserveRequest[], now: number): Promise<ReserveResult[]> {
    this.sweep(now);
    const out: (ReserveResult | undefined)[] = requests.map((r) => this.take(r, now));
    for (let round = 0; round < 2 && out.some((r) => r === undefined); round++) {
      const waiting = requests.filter((_, i) => out[i] === undefined);
      const refused = await this.open(waiting, now);
      requests.forEach((r, i) => {
        if (out[i] === undefined) out[i] = this.take(r, now) ?? refused.get(blockKey(r));
      });
    }
    return out.map((r, i) => r ?? { ok: false, fullKey: requests[i]!.caps[0]!.key, room: 0 });
  }

  /**
   * Holds for each request, in order, when every one fits in its key's open block now: no store call, no
   * await (a page's usual case). Undefined when one does not: nothing is held then, and reserveMany opens
   * what is needed.
   */
  takeNow(requests: readonly ReserveRequest[], now: number): ReserveResult[] | undefined {
    this.sweep(now);
    const out: ReserveResult[] = [];
    for (const r of requests) {
      const taken = this.take(r, now);
      if (taken === undefined) {
        // Back into the blocks they came from: still open, as no time passed.
        for (let i = 0; i < out.length; i++)
          this.blocks.get(blockKey(requests[i]!))!.remaining += requests[i]!.amount;
        return undefined;
      }
      out.push(taken);
    }
    return out;
  }

  /** Gives a part back (an ad served but not laid into the page): to its block while open, else to the store. */
  async release(reservationId: string, amount: number, now: number): Promise<void> {
    for (const block of this.blocks.values())
      if (block.id === reservationId && now < block.openUntil) {
        block.remaining += amount;
        return;
      }
    await this.spend.giveBack(reservationId, amount, now);
  }

  /** Gives back what every block holds unhanded (a node stopping). */
  async close(now: number): Promise<void> {
    const open = [...this.blocks.values()];
    this.blocks.clear();
    await Promise.all(open.map((b) => this.giveBack(b, now)));
  }

  /** A part of the key's open block, or undefined when there is none with room. */
  private take(request: ReserveRequest, now: number): ReserveResult | undefined {
    const key = blockKey(request);
    const block = this.blocks.get(key);
    if (!block || now >= block.openUntil) return undefined;
    if (block.remaining < request.amount) {
      // Ran out within its window: the next block of the key is twice the size.
      if (!block.ranOut) this.grow(key);
      block.ranOut = true;
      return undefined;
    }
    block.remaining -= request.amount;
    this.renewAhead(key, block, request, now);
    return { ok: true, reservationId: block.id, expiresAt: now + request.ttlMs };
  }

  /**
   * Opens the key's next block in the background before this one is needed again: when a quarter of it
   * is left (the next is twice the size), or in the last quarter of its window once half of it was handed
   * out; the new block replaces this one, whose rest is given back. Pages then seldom wait on the store; a
   * key served now and then opens its blocks as they come.
   */
  private renewAhead(key: string, block: Block, request: ReserveRequest, now: number): void {
    // A block of a few parts (a small budget's) is not renewed ahead: the next would hold as much again.
    if (block.renewing || block.size < 4 * request.amount || this.opening.has(key)) return;
    const low = block.remaining * 4 <= block.size;
    const late = now >= block.openUntil - this.settings.windowMs / 4 && block.remaining * 2 <= block.size;
    if (!low && !late) return;
    block.renewing = true;
    if (low) this.grow(key);
    this.open([{ ...request, now }], now).catch((err) => {
      // The next page opens it when it needs it.
      this.log?.warn({ err }, 'could not open a budget block ahead');
    });
  }

  /**
   * Opens a block for each key of `requests` (one reserveMany call; a key already opening is waited for),
   * sized at the key's parts times its largest request, and never less than the requests' sum. A key whose
   * caps have less room takes that room, if a request fits in it. Answers the refusals by key.
   */
  private async open(requests: readonly ReserveRequest[], now: number): Promise<Map<string, ReserveResult>> {
    const refused = new Map<string, ReserveResult>();
    const byKey = new Map<string, ReserveRequest[]>();
    for (const r of requests) {
      const k = blockKey(r);
      byKey.set(k, [...(byKey.get(k) ?? []), r]);
    }
    const wait: Promise<void>[] = [];
    const wanted: Wanted[] = [];
    for (const [key, rs] of byKey) {
      const pending = this.opening.get(key);
      if (pending) {
        wait.push(pending);
        continue;
      }
      const largest = Math.max(...rs.map((r) => r.amount));
      const sum = rs.reduce((a, r) => a + r.amount, 0);
      // Never more than a small share of the tightest cap: blocks held on many nodes must not keep a
      // budget from being spent (a per-click part can be a large share of a small budget).
      const share = Math.floor(Math.min(...rs[0]!.caps.map((c) => c.cap)) / CAP_SHARE);
      const size = Math.max(sum, Math.min(largest * this.partsOf(key), share));
      const least = Math.min(...rs.map((r) => r.amount));
      // The block keeps the room its parts' requests asked to keep (a click's price beyond its hold).
      const headroom = Math.max(...rs.map((r) => r.headroom ?? 0));
      wanted.push({
        key,
        least,
        request: { ...rs[0]!, amount: size, headroom, ttlMs: rs[0]!.ttlMs + this.settings.windowMs },
      });
    }
    if (wanted.length > 0) {
      const opened = this.reserveBlocks(wanted, now, refused);
      for (const w of wanted) this.opening.set(w.key, opened);
      wait.push(opened);
    }
    await Promise.all(wait);
    return refused;
  }

  private async reserveBlocks(
    wanted: readonly Wanted[],
    now: number,
    refused: Map<string, ReserveResult>,
  ): Promise<void> {
    try {
      let results = await this.spend.reserveMany(wanted.map((w) => w.request));
      const sizes = wanted.map((w) => w.request.amount);
      // Less room than a block: take the room there is (less the headroom kept), when the smallest
      // request fits in it.
      const roomOf = (w: Wanted, r: ReserveResult) => (r.ok ? 0 : r.room - (w.request.headroom ?? 0));
      const retry = wanted
        .map((w, i) => ({ w, r: results[i]! }))
        .filter(({ w, r }) => !r.ok && roomOf(w, r) >= w.least);
      if (retry.length > 0) {
        const again = await this.spend.reserveMany(
          retry.map(({ w, r }) => ({ ...w.request, amount: roomOf(w, r) })),
        );
        results = results.slice();
        retry.forEach(({ w, r }, j) => {
          const i = wanted.indexOf(w);
          results[i] = again[j]!;
          sizes[i] = roomOf(w, r);
        });
      }
      wanted.forEach((w, i) => {
        const r = results[i]!;
        if (!r.ok) {
          refused.set(w.key, r);
          return;
        }
        const before = this.blocks.get(w.key);
        if (before) this.retire(w.key, before, now);
        this.blocks.set(w.key, {
          id: r.reservationId,
          size: sizes[i]!,
          remaining: sizes[i]!,
          openUntil: now + this.settings.windowMs,
          ranOut: false,
          renewing: false,
        });
      });
    } finally {
      for (const w of wanted) this.opening.delete(w.key);
    }
  }

  /** Closes the blocks whose window has ended (at most once a window). */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.settings.windowMs;
    for (const [key, block] of this.blocks)
      if (now >= block.openUntil) {
        this.blocks.delete(key);
        this.retire(key, block, now);
      }
  }

  /** The key's block size in parts. */
  private partsOf(key: string): number {
    return this.parts.get(key) ?? this.settings.firstParts;
  }

  /** Doubles the key's block size, up to maxParts. */
  private grow(key: string): void {
    this.parts.set(key, Math.min(this.settings.maxParts, 2 * this.partsOf(key)));
  }

  /** Halves the key's block size when the block left over half unused, and gives its rest back. */
  private retire(key: string, block: Block, now: number): void {
    // Keys are per day: the sizes of past days' keys are dropped now and then.
    if (this.parts.size > MAX_SIZED_KEYS) this.parts.clear();
    if (!block.ranOut && block.remaining * 2 > block.size)
      this.parts.set(key, Math.max(1, Math.floor(this.partsOf(key) / 2)));
    void this.giveBack(block, now);
  }

  private async giveBack(block: Block, now: number): Promise<void> {
    const rest = block.remaining;
    block.remaining = 0;
    if (rest <= 0) return;
    try {
      await this.spend.giveBack(block.id, rest, now);
    } catch (err) {
      // Held until the block expires by itself, then back in the budget.
      this.log?.warn({ err }, 'could not give back the rest of a budget block');
    }
  }
}

/**
 * Block keys per caps list (budgetCaps hands out the same list for an ad and day), with the hold's ttl
 * they were made for: the same string again, not a new one to hash on every lookup.
 */
const capsKeys = new WeakMap<readonly SpendCap[], { ttlMs: number; key: string }>();

/** Requests share a block when they count against the same keys with the same hold. */
function blockKey(r: ReserveRequest): string {
  const held = capsKeys.get(r.caps);
  if (held?.ttlMs === r.ttlMs) return held.key;
  let key = String(r.ttlMs);
  for (const c of r.caps) key += `\u0000${c.key}\u0001${c.cap}`;
  capsKeys.set(r.caps, { ttlMs: r.ttlMs, key });
  return key;
}
