import { sql } from 'kysely';
import type { Db } from './db/database.js';

/**
 * 64-bit IDs laid out as Pinterest's: two reserved zero bits, then shard (16 bits) | type (10 bits) |
 * local id (36 bits), written as decimal strings. The reserved bits keep every ID a positive Postgres
 * bigint. Local ids come from a database sequence, so any number of processes
 * sharing a database never collide; the shard says which database made the ID.
 */
export const SHARD_BITS = 16n;
export const TYPE_BITS = 10n;
export const LOCAL_BITS = 36n;
export const MAX_SHARD = (1 << 16) - 1;
export const MAX_TYPE = (1 << 10) - 1;
export const MAX_LOCAL = (1n << LOCAL_BITS) - 1n;
/** The largest PostgreSQL bigint: no id column can hold more. */
export const MAX_BIGINT = (1n << 63n) - 1n;

/** Whether a client's text can be an id at all: 1 to 19 decimal digits, at most MAX_BIGINT. */
export function isIdText(text: unknown): text is string {
  return typeof text === 'string' && /^\d{1,19}$/.test(text) && BigInt(text) <= MAX_BIGINT;
}

/**
 * Whether a client's text can be an anonymous device id: 1 to 64 characters of A-Z a-z 0-9 . _ ~ -
 * (POST /v5/events' `device_id`, the X-Device-Id header; a signed-out experiment unit `d<device id>`).
 */
export function isDeviceId(text: unknown): text is string {
  return typeof text === 'string' && /^[A-Za-z0-9._~-]{1,64}$/.test(text);
}

/** Object kinds encoded in the type bits. Values are part of every stored ID: never renumber. */
export const IdType = {
  user: 1,
  board: 2,
  section: 3,
  pin: 4,
  media: 5,
  app: 6,
  campaign: 7,
  adGroup: 8,
  ad: 9,
  experiment: 10,
  image: 11,
  eventBatch: 12,
  adAccount: 13,
  keyword: 14,
  audience: 15,
  customerList: 16,
  targetingTemplate: 17,
  conversionTag: 18,
} as const;
export type IdTypeName = keyof typeof IdType;

export interface DecodedId {
  shard: number;
  type: number;
  local: bigint;
}

/** Packs the three parts into a decimal-string ID; throws RangeError when a part is out of range. */
export function encodeId(shard: number, type: number, local: bigint): string {
  if (!Number.isInteger(shard) || shard < 0 || shard > MAX_SHARD) throw new RangeError(`shard ${shard}`);
  if (!Number.isInteger(type) || type < 0 || type > MAX_TYPE) throw new RangeError(`type ${type}`);
  if (local < 0n || local > MAX_LOCAL) throw new RangeError(`local id ${local}`);
  return ((BigInt(shard) << (TYPE_BITS + LOCAL_BITS)) | (BigInt(type) << LOCAL_BITS) | local).toString();
}

/** Splits a decimal-string ID into its parts; undefined for anything that is not a 64-bit ID. */
export function decodeId(id: string): DecodedId | undefined {
  if (!/^\d{1,20}$/.test(id)) return undefined;
  const n = BigInt(id);
  if (n >= 1n << (SHARD_BITS + TYPE_BITS + LOCAL_BITS)) return undefined;
  return {
    shard: Number(n >> (TYPE_BITS + LOCAL_BITS)),
    type: Number((n >> LOCAL_BITS) & BigInt(MAX_TYPE)),
    local: n & MAX_LOCAL,
  };
}

/** Whether `id` is a well-formed ID of the given kind (any shard). */
export function isIdOfType(id: string, type: IdTypeName): boolean {
  return decodeId(id)?.type === IdType[type];
}

/** Makes new IDs from the database's sequence. */
export class IdGenerator {
  constructor(
    private readonly db: Db,
    private readonly shard: number,
  ) {
    if (!Number.isInteger(shard) || shard < 0 || shard > MAX_SHARD) throw new RangeError(`shard ${shard}`);
  }

  /** One new ID of the given kind. Pass the transaction's executor when inside one. */
  async next(type: IdTypeName, executor: Db = this.db): Promise<string> {
    const [id] = await this.many(type, 1, executor);
    return id!;
  }

  /** `count` new IDs of the given kind, in one round trip. */
  async many(type: IdTypeName, count: number, executor: Db = this.db): Promise<string[]> {
    if (count <= 0) return [];
    const { rows } = await sql<{ local: string }>`
      select nextval('id_local_seq')::text as local from generate_series(1, ${count})
    `.execute(executor);
    return rows.map((r) => encodeId(this.shard, IdType[type], BigInt(r.local)));
  }
}
