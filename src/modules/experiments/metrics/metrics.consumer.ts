import { EVENTS_BATCH_TOPIC, parseEventsBatch } from '../../events/index.js';
import type { TopicConsumer } from '../../topics.js';
import { Accumulator, type Exposure } from './accumulate.js';
import { PRE_PERIOD_DAYS } from './metric-catalog.js';
import { type BatchEventRow, type ExposedUnitRow, metricsRepository as repo } from './metrics.repository.js';

export const METRICS_CONSUMER = 'experiments.metrics';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
const exposureOf = (r: ExposedUnitRow): Exposure => ({
  run: r.run,
  unit: r.unit,
  experiment: r.experiment,
  variant: r.variant,
  firstMs: r.first_ms,
});

/**
 * Experiment metrics from the event stream: for each accepted batch, in the delivery's transaction,
 * records the batch's exposures (a unit's first exposure in a run starts its analysis window) and adds
 * its metric events to the totals of the units exposed, and those to the variants' sums. Committed with
 * the delivery record, so a batch counts once however often it is delivered.
 *
 * Deliveries run one at a time across processes (an advisory lock), so a unit's exposure and its events
 * see each other whatever order their batches come in: when a unit's first exposure is recorded (or an
 * earlier one arrives late), its totals are recomputed from the batches already applied, and events of
 * later batches are added as they come. `now` dates the day's look (the sums as they stood at its end).
 */
export function metricsConsumer(now: () => number = Date.now): TopicConsumer<typeof EVENTS_BATCH_TOPIC> {
  return {
    name: METRICS_CONSUMER,
    topics: [EVENTS_BATCH_TOPIC],
    async handle(payload, ctx) {
      const { batchId, days } = parseEventsBatch(payload);
      await repo.lock(ctx.trx);
      if (!(await repo.markBatch(ctx.trx, batchId))) {
        ctx.log.warn({ batchId }, 'events batch announced again; already in the experiment metrics');
        return;
      }
      const rows = await repo.batchEvents(ctx.trx, batchId, days);
      if (rows.length === 0) return;
      const acc = new Accumulator();

      // 1. Exposures: the earliest of the batch per (run, unit) against what is stored.
      const first = new Map<string, BatchEventRow>();
      for (const r of rows) {
        if (r.kind !== 'EXPOSURE' || !r.run || !r.experiment || !r.variant) continue;
        const k = `${r.run}\u0000${r.unit}`;
        const cur = first.get(k);
        if (!cur || r.at_ms < cur.at_ms) first.set(k, r);
      }
      const candidates = [...first.values()];
      const stored = new Map(
        (
          await repo.exposed(
            ctx.trx,
            candidates.map((r) => r.run!),
            candidates.map((r) => r.unit),
          )
        ).map((x) => [`${x.run}\u0000${x.unit}`, x]),
      );
      const moved: ExposedUnitRow[] = [];
      for (const r of candidates) {
        const old = stored.get(`${r.run}\u0000${r.unit}`);
        if (old && old.first_ms <= r.at_ms) continue;
        // A unit keeps the variant it was first recorded in (assignment gives the same one anyway).
        const x: ExposedUnitRow = {
          run: r.run!,
          unit: r.unit,
          experiment: old?.experiment ?? r.experiment!,
          variant: old?.variant ?? r.variant!,
          first_ms: r.at_ms,
        };
        moved.push(x);
        if (!old) acc.exposed(exposureOf(x));
      }
      moved.sort((p, q) => (p.run + p.unit < q.run + q.unit ? -1 : 1));
      await repo.saveExposed(ctx.trx, moved);
      for (const x of moved) {
        const from = dayOf(x.first_ms - PRE_PERIOD_DAYS * DAY_MS);
        acc.recompute(exposureOf(x), await repo.appliedUnitEvents(ctx.trx, x.unit, from, batchId));
      }

      // 2. The batch's metric events, for every run their unit is exposed in.
      const events = rows.filter((r) => r.kind !== 'EXPOSURE');
      if (events.length > 0) {
        const byUnit = new Map<string, Exposure[]>();
        for (const x of await repo.exposuresOf(ctx.trx, [...new Set(events.map((r) => r.unit))])) {
          const list = byUnit.get(x.unit) ?? [];
          list.push(exposureOf(x));
          byUnit.set(x.unit, list);
        }
        for (const r of events) for (const x of byUnit.get(r.unit) ?? []) acc.add(x, r);
      }

      // 3. New totals, the sums' increments, and today's look.
      const { values, sums } = acc.settle(await repo.unitValues(ctx.trx, acc.keys()));
      await repo.saveUnitValues(ctx.trx, values);
      await repo.addSums(ctx.trx, sums);
      await repo.snapshot(ctx.trx, [...new Set(sums.map((s) => s.run))].sort(), dayOf(now()));
      ctx.log.debug(
        { batchId, rows: rows.length, exposed: moved.length },
        'events batch in experiment metrics',
      );
    },
  };
}
