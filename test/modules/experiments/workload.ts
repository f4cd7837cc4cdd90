import { sql } from 'kysely';
import type { App } from '../../../src/app.js';
import { eventually } from '../../helpers/app.js';
import { prng as mulberry32 } from '../../helpers/prng.js';

/** One event of a synthetic workload, as stored in `events` (and `ad_charges` when it is charged). */
export interface WorkEvent {
  id: string;
  unit: string;
  kind: string;
  at: number;
  adId: string | null;
  chargeMicro: number;
  /** FEED_TIMING events: requests and their summed server time (ms). */
  timingRequests?: number;
  timingMs?: number;
  experiment?: string;
  run?: string;
  variant?: string;
}

export const DAY = 86_400_000;
const KINDS = [
  'SAVE',
  'PIN_CLICK',
  'OUTBOUND_CLICK',
  'IMPRESSION',
  'IMPRESSION',
  'IMPRESSION',
  'SEARCH',
  'FOLLOW',
  'SESSION_START',
  'FEED_TIMING',
];

/**
 * A seeded random workload over `days` days ending at `end`: units (users and devices) doing things,
 * exposures to each run (some units twice, on different days; some never), promoted events with charges.
 */
export function workload(
  seed: number,
  runs: { experiment: string; run: string; variants: string[] }[],
  opts: { units: number; eventsPerUnit: number; days: number; end: number },
): WorkEvent[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: WorkEvent[] = [];
  const start = opts.end - opts.days * DAY;
  const time = () => start + Math.floor(rand() * (opts.end - start));
  let serial = 0;
  for (let u = 0; u < opts.units; u++) {
    const unit = u % 5 === 4 ? `ddev${seed}-${u}` : `u${900_000 + u}`;
    const n = Math.floor(rand() * opts.eventsPerUnit * 2);
    for (let i = 0; i < n; i++) {
      const kind = pick(KINDS);
      const organicOnly = ['SEARCH', 'FOLLOW', 'SESSION_START', 'FEED_TIMING'].includes(kind);
      const promoted = !organicOnly && rand() < 0.3;
      const timed = kind === 'FEED_TIMING';
      const charged = promoted && (kind === 'IMPRESSION' || rand() < 0.5);
      out.push({
        id: `${unit}:t:${serial++}`,
        unit,
        kind,
        at: time(),
        adId: promoted ? String(1 + Math.floor(rand() * 3)) : null,
        chargeMicro: charged ? 1 + Math.floor(rand() * 5_000_000_000) : 0,
        ...(timed && {
          timingRequests: 1 + Math.floor(rand() * 6),
          timingMs: Math.floor(rand() * 2_000),
        }),
      });
    }
    for (const r of runs) {
      if (rand() < 0.25) continue; // never exposed
      const variant = pick(r.variants);
      const days = new Set<number>();
      const times = rand() < 0.3 ? 2 : 1;
      for (let k = 0; k < times; k++) {
        const at = time();
        const day = Math.floor(at / DAY);
        if (days.has(day)) continue;
        days.add(day);
        out.push({
          id: `${unit}:x:${r.run}`,
          unit,
          kind: 'EXPOSURE',
          at,
          adId: null,
          chargeMicro: 0,
          experiment: r.experiment,
          run: r.run,
          variant,
        });
      }
    }
  }
  // Batches arrive in any order: shuffle.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

let nextBatch = 7_000_000_000;

/** Stores events as one batch (rows, charges and the events.batch outbox row), as the events module does. */
export async function storeBatch(
  app: App,
  events: readonly WorkEvent[],
  announceTwice = false,
): Promise<string> {
  const batchId = String(nextBatch++);
  const rows = events.map((e) => ({
    day: new Date(Math.floor(e.at / DAY) * DAY).toISOString().slice(0, 10),
    id: e.id,
    kind: e.kind,
    occurred_at: new Date(e.at).toISOString(),
    user_id: e.unit.startsWith('u') ? e.unit.slice(1) : null,
    device_id: e.unit.startsWith('d') ? e.unit.slice(1) : null,
    ad_id: e.adId,
    experiment: e.experiment ?? null,
    experiment_run: e.run ?? null,
    variant: e.variant ?? null,
    timing_requests: e.timingRequests ?? null,
    timing_ms: e.timingMs ?? null,
    charge: e.chargeMicro,
  }));
  const days = [...new Set(rows.map((r) => r.day))].sort();
  await app.product.events.partitions.ensure(days);
  await app.deps.db.transaction().execute(async (trx) => {
    await sql`
      insert into events (day, id, kind, occurred_at, user_id, device_id, app_type, ad_id, experiment,
                          experiment_run, variant, timing_requests, timing_ms, batch_id)
      select day, id, kind, occurred_at, user_id, device_id, 'WEB', ad_id, experiment, experiment_run, variant,
             timing_requests, timing_ms, ${batchId}::bigint
        from json_to_recordset(${JSON.stringify(rows)}::json)
          as r(day date, id text, kind text, occurred_at timestamptz, user_id bigint, device_id text,
               ad_id bigint, experiment text, experiment_run text, variant text, timing_requests int,
               timing_ms bigint)`.execute(trx);
    await sql`
      insert into ad_charges (token_id, batch_id, ad_id, event_id, kind, app_type, served_at, amount_micro,
                              hold_micro, reservation_id)
      select 'tok-' || id, ${batchId}::bigint, ad_id, id, kind, 'WEB', occurred_at, charge, 0, 'none'
        from json_to_recordset(${JSON.stringify(rows.filter((r) => r.charge > 0))}::json)
          as r(id text, kind text, ad_id bigint, occurred_at timestamptz, charge bigint)`.execute(trx);
    // Settled already (billing has nothing to do for them): only the price recorded is read here.
    await sql`
      insert into ad_charge_settles (token_id, state, charged_micro, overdelivered_micro)
      select 'tok-' || id, 'released', 0, 0
        from json_to_recordset(${JSON.stringify(rows.filter((r) => r.charge > 0))}::json) as r(id text)`.execute(
      trx,
    );
    const payload = JSON.stringify({ batchId, days });
    await sql`insert into outbox (topic, payload) values ('events.batch', ${payload}::jsonb)`.execute(trx);
    if (announceTwice)
      await sql`insert into outbox (topic, payload) values ('events.batch', ${payload}::jsonb)`.execute(trx);
  });
  app.deps.eventsCommitted();
  return batchId;
}

/** The per-unit totals and per-variant sums recomputed from scratch from the workload (BigInt, exact). */
export function bruteForce(events: readonly WorkEvent[]) {
  const PRE = 14 * DAY;
  type Unit = { run: string; experiment: string; variant: string; unit: string; first: number };
  const exposed = new Map<string, Unit>();
  for (const e of events) {
    if (e.kind !== 'EXPOSURE') continue;
    const k = `${e.run}|${e.unit}`;
    const cur = exposed.get(k);
    if (!cur || e.at < cur.first)
      exposed.set(k, {
        run: e.run!,
        experiment: e.experiment!,
        variant: e.variant!,
        unit: e.unit,
        first: e.at,
      });
  }
  const count = (k: string) => (e: WorkEvent) => (e.kind === k ? 1n : 0n);
  const mean: Record<string, (e: WorkEvent) => bigint> = {
    saves_per_user: count('SAVE'),
    closeups_per_user: count('PIN_CLICK'),
    outbound_clicks_per_user: count('OUTBOUND_CLICK'),
    impressions_per_user: count('IMPRESSION'),
    searches_per_user: count('SEARCH'),
    sessions_per_user: count('SESSION_START'),
    ad_revenue_micro_per_user: (e) => BigInt(e.chargeMicro),
  };
  const ratio: Record<string, [(e: WorkEvent) => bigint, (e: WorkEvent) => bigint]> = {
    outbound_click_rate: [count('OUTBOUND_CLICK'), count('IMPRESSION')],
    ad_ctr: [
      (e) => (e.adId && (e.kind === 'PIN_CLICK' || e.kind === 'OUTBOUND_CLICK') ? 1n : 0n),
      (e) => (e.adId && e.kind === 'IMPRESSION' ? 1n : 0n),
    ],
    feed_latency_ms: [(e) => BigInt(e.timingMs ?? 0), (e) => BigInt(e.timingRequests ?? 0)],
  };
  const byUnit = new Map<string, WorkEvent[]>();
  for (const e of events) {
    if (e.kind === 'EXPOSURE') continue;
    const list = byUnit.get(e.unit) ?? [];
    list.push(e);
    byUnit.set(e.unit, list);
  }
  const sums = new Map<string, { n: bigint; a: bigint; aa: bigint; b: bigint; bb: bigint; ab: bigint }>();
  const add = (run: string, variant: string, metric: string, a: bigint, b: bigint, newUnit: boolean) => {
    const k = `${run}|${variant}|${metric}`;
    const s = sums.get(k) ?? { n: 0n, a: 0n, aa: 0n, b: 0n, bb: 0n, ab: 0n };
    if (newUnit) s.n++;
    s.a += a;
    s.aa += a * a;
    s.b += b;
    s.bb += b * b;
    s.ab += a * b;
    sums.set(k, s);
  };
  for (const x of exposed.values()) {
    const evs = byUnit.get(x.unit) ?? [];
    for (const [metric, v] of Object.entries(mean)) {
      let a = 0n;
      let b = 0n;
      for (const e of evs) {
        if (e.at >= x.first) a += v(e);
        else if (e.at >= x.first - PRE) b += v(e);
      }
      add(x.run, x.variant, metric, a, b, true);
    }
    for (const [metric, [num, den]] of Object.entries(ratio)) {
      let a = 0n;
      let b = 0n;
      for (const e of evs)
        if (e.at >= x.first) {
          a += num(e);
          b += den(e);
        }
      add(x.run, x.variant, metric, a, b, true);
    }
  }
  return sums;
}

/** Waits until the metrics consumer has taken every events.batch announced so far. */
export async function metricsCaughtUp(app: App, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox o
        where topic = 'events.batch' and not exists (select 1 from job_done d where d.event_id = o.id
                                                        and d.consumer = 'experiments.metrics')`.execute(
        app.deps.db,
      );
      return rows[0]!.n === 0;
    },
    timeoutMs,
    200,
  );
}
