import type { JobContext } from '../../platform/jobs/types.js';
import { EVENTS_BATCH_TOPIC, parseEventsBatch } from '../events/index.js';
import type { TopicConsumer } from '../topics.js';
import { addCounts, type Counts, ZERO } from './analytics.metrics.js';
import { type ActivityRow, APP_TYPES, analyticsRepository as repo } from './analytics.repository.js';
import type { PinHourCount } from './popularity/popularity.js';
import type { PopularityService } from './popularity/popularity.service.js';
import { ROLLUP_CONSUMER, type RollupProgress } from './rollup-progress.js';

/**
 * Test seam: called in the middle of a batch's rollup (its pin rows written, its creator and app-type
 * rows not yet), inside the delivery's transaction. Process tests stall here to kill a worker mid-batch.
 */
export const rollupTestHooks: { midBatch?: (info: { batchId: string; ctx: JobContext }) => Promise<void> } =
  {};

const appType = (t: string) => ((APP_TYPES as readonly string[]).includes(t) ? t : 'OTHER');

function group<K>(rows: readonly ActivityRow[], key: (r: ActivityRow) => K & object, id: (k: K) => string) {
  const out = new Map<string, K & Counts>();
  for (const r of rows) {
    const k = key(r);
    const cur = out.get(id(k)) ?? ({ ...k, ...ZERO } as K & Counts);
    addCounts(cur, r);
    out.set(id(k), cur);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/**
 * The rollup: for each accepted batch of events, in the delivery's transaction, adds the batch's pin
 * events to the daily rollups per pin, per creator and per app type, and to the popularity signals.
 * The delivery record commits with the increments, so a batch is counted once however often it is
 * delivered; a failure or a crash mid-batch rolls everything back and the redelivery starts afresh.
 * Once committed, `creatorsChanged` is told whose counts moved (their cached reports are dropped).
 */
export function rollupConsumer(
  popularity: PopularityService,
  progress: RollupProgress,
  creatorsChanged: (userIds: string[]) => Promise<void> = async () => {},
): TopicConsumer<typeof EVENTS_BATCH_TOPIC> {
  return {
    name: ROLLUP_CONSUMER,
    topics: [EVENTS_BATCH_TOPIC],
    async handle(payload, ctx) {
      const { batchId, days } = parseEventsBatch(payload);
      if (!(await repo.markRolled(ctx.trx, batchId))) {
        ctx.log.warn({ batchId }, 'events batch announced again; already rolled up');
        return;
      }
      const mode = await popularity.lockForRollup(ctx.trx);
      const rows = (await repo.batchActivity(ctx.trx, batchId, days)).map((r) => ({
        ...r,
        app_type: appType(r.app_type),
      }));

      // Rows in key order, so concurrent rollups lock shared rows in the same order.
      await repo.addPinDays(
        ctx.trx,
        group(
          rows,
          (r) => ({ pin_id: r.pin_id, day: r.day, app_type: r.app_type, owner_id: r.owner_id }),
          (k) => `${k.pin_id.padStart(20, '0')}|${k.day}|${k.app_type}`,
        ),
      );
      await rollupTestHooks.midBatch?.({ batchId, ctx });
      await repo.addCreatorDays(
        ctx.trx,
        group(
          rows,
          (r) => ({ user_id: r.owner_id, day: r.day, app_type: r.app_type }),
          (k) => `${k.user_id.padStart(20, '0')}|${k.day}|${k.app_type}`,
        ),
      );
      // Platform-wide counts leave out pins on secret boards; popularity, a discovery signal, keeps only
      // pins on boards discovery shows (boards' visibility rule).
      await repo.addAppTypeDays(
        ctx.trx,
        group(
          rows.filter((r) => !r.secret),
          (r) => ({ day: r.day, app_type: r.app_type }),
          (k) => `${k.day}|${k.app_type}`,
        ),
      );
      const hourly: PinHourCount[] = group(
        rows.filter((r) => r.discoverable && r.saves + r.pin_clicks + r.outbound_clicks > 0),
        (r) => ({ pin_id: r.pin_id, hour: r.hour }),
        (k) => `${k.pin_id.padStart(20, '0')}|${k.hour}`,
      ).map((g) => ({
        pinId: g.pin_id,
        hour: g.hour,
        saves: g.saves,
        engagements: g.saves + g.pin_clicks + g.outbound_clicks,
      }));
      await repo.addHourlySignals(ctx.trx, hourly);
      await popularity.addBatch(ctx.trx, batchId, hourly, mode);
      progress.invalidate();
      const creators = [...new Set(rows.map((r) => r.owner_id))];
      if (creators.length > 0) ctx.afterCommit(() => creatorsChanged(creators));
      ctx.log.debug({ batchId, rows: rows.length }, 'events batch rolled up');
    },
  };
}
