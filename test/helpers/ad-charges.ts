import type { Db } from '../../src/platform/db/database.js';

/** A recorded charge with how it was settled ('pending' while billing has not settled it). */
export interface ChargeRow {
  token_id: string;
  ad_id: string;
  kind: string;
  state: 'pending' | 'charged' | 'overdelivered' | 'released' | 'unknown';
  amount_micro: string;
  charged_micro: string;
  overdelivered_micro: string;
}

/** The charges recorded (of one ad, when given), each with its settlement. */
export async function chargeRows(db: Db, adId?: string): Promise<ChargeRow[]> {
  let q = db
    .selectFrom('ad_charges as c')
    .leftJoin('ad_charge_settles as s', 's.token_id', 'c.token_id')
    .select((eb) => [
      'c.token_id',
      'c.ad_id',
      'c.kind',
      'c.amount_micro',
      eb.fn.coalesce('s.state', eb.val('pending')).as('state'),
      eb.fn.coalesce('s.charged_micro', eb.val('0')).as('charged_micro'),
      eb.fn.coalesce('s.overdelivered_micro', eb.val('0')).as('overdelivered_micro'),
    ]);
  if (adId !== undefined) q = q.where('c.ad_id', '=', adId);
  return (await q.orderBy('c.token_id').execute()) as ChargeRow[];
}
