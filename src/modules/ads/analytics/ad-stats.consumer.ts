import { EVENTS_BATCH_TOPIC, parseEventsBatch } from '../../events/index.js';
import type { TopicConsumer } from '../../topics.js';
import { adStatsRepository as repo } from './ad-stats.repository.js';

export const AD_STATS_CONSUMER = 'ads.stats-rollup';

/**
 * The ads rollup: for each accepted batch of events, in the delivery's transaction, adds the batch's
 * events about ads (those with an ad_id) to ad_hourly_stats, and those served on a placement to
 * ad_placement_stats (what predicted click-through learns from), and impressions of frequency-capped ad
 * groups to ad_viewer_impressions. The increments commit with the delivery
 * record, so a redelivery does nothing and a failure mid-batch rolls everything back; a batch announced
 * twice (two outbox events, one batchId) is stopped by ads_rolled_batches.
 */
export function adStatsConsumer(): TopicConsumer<typeof EVENTS_BATCH_TOPIC> {
  return {
    name: AD_STATS_CONSUMER,
    topics: [EVENTS_BATCH_TOPIC],
    async handle(payload, ctx) {
      const { batchId, days } = parseEventsBatch(payload);
      if (!(await repo.markRolled(ctx.trx, batchId))) {
        ctx.log.warn({ batchId }, 'events batch announced again; already in the ads rollup');
        return;
      }
      // Ordered by (ad, hour, app type), the table's key: concurrent rollups lock rows in one order.
      const rows = await repo.batchActivity(ctx.trx, batchId, days);
      await repo.addHours(ctx.trx, rows);
      await repo.addPlacements(ctx.trx, batchId, days);
      await repo.addFrequencies(ctx.trx, batchId, days);
      if (rows.length > 0) ctx.log.debug({ batchId, rows: rows.length }, 'events batch rolled into ad stats');
    },
  };
}
