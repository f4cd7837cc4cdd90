import type { Db } from '../../../platform/db/database.js';
import type { TopicConsumer } from '../../topics.js';

export const AUCTION_LOG_CONSUMER = 'ads.auction-log';
/** How long the auction log is kept. */
export const AUCTION_LOG_DAYS = 30;

/**
 * Stores the sampled auctions of the `ads.auction` topic in ad_auctions, for pricing and experiment
 * analysis: one row per auction, written in the delivery's transaction.
 */
export function auctionLogConsumer(): TopicConsumer<'ads.auction'> {
  return {
    name: AUCTION_LOG_CONSUMER,
    topics: ['ads.auction'],
    async handle(payload, ctx) {
      await ctx.trx
        .insertInto('ad_auctions')
        .values({
          at: payload.at,
          request_id: payload.requestId,
          surface: payload.surface,
          placement: payload.placement,
          candidates: JSON.stringify(payload.candidates),
          winners: JSON.stringify(payload.winners),
        })
        .execute();
    },
  };
}

/** Deletes auctions older than the log keeps; answers how many. */
export async function pruneAuctionLog(db: Db, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - AUCTION_LOG_DAYS * 86_400_000);
  const r = await db.deleteFrom('ad_auctions').where('at', '<', cutoff).executeTakeFirst();
  return Number(r.numDeletedRows);
}
