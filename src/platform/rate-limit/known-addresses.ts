import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db/database.js';
import { tokenHash } from '../secrets-hash.js';
import type { KnownAddressStore } from './failure-throttle.js';

/** How long an address stays known after its last success. */
const KNOWN_FOR_DAYS = 90;
/** A success from a pair recorded this recently is not written again (one write a day per pair). */
const REWRITE_AFTER_MS = 24 * 3_600_000;

/**
 * The addresses that signed a subject (`user:<id>`, `app:<id>`) in successfully lately, in the
 * database so every node sees them. Addresses are kept as SHA-256, not as they are: the table answers
 * "seen before?", never "from where?".
 */
export class KnownAddresses implements KnownAddressStore {
  constructor(private readonly db: Db) {}

  /** Pairs this node wrote lately: a busy app's every token request would otherwise be a write. */
  private readonly recent = new LRUCache<string, true>({ max: 10_000, ttl: REWRITE_AFTER_MS });

  /** Records a success of `subject` from `address`. */
  async remember(subject: string, address: string): Promise<void> {
    const hash = tokenHash(address);
    const key = `${subject} ${hash}`;
    if (this.recent.has(key)) return;
    await this.db
      .insertInto('auth_known_addresses')
      .values({ subject, address_hash: hash })
      .onConflict((oc) =>
        oc.columns(['subject', 'address_hash']).doUpdateSet({ last_success_at: sql`now()` }),
      )
      .execute();
    this.recent.set(key, true);
  }

  /** Deletes pairs whose last success is older than KNOWN_FOR_DAYS (they no longer count); how many. */
  async prune(): Promise<number> {
    const result = await this.db
      .deleteFrom('auth_known_addresses')
      .where('last_success_at', '<=', sql<Date>`now() - make_interval(days => ${KNOWN_FOR_DAYS})`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Whether `address` signed `subject` in successfully within the last KNOWN_FOR_DAYS days. */
  async knows(subject: string, address: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('auth_known_addresses')
      .select('subject')
      .where('subject', '=', subject)
      .where('address_hash', '=', tokenHash(address))
      .where('last_success_at', '>', sql<Date>`now() - make_interval(days => ${KNOWN_FOR_DAYS})`)
      .executeTakeFirst();
    return row !== undefined;
  }
}
