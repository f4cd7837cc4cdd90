import { contribution, METRICS, type MetricEvent } from './metric-catalog.js';
import type { BatchEventRow, SumsDelta, UnitValueRow } from './metrics.repository.js';

/** A unit's exposure in a run, as the accumulator needs it. */
export interface Exposure {
  readonly run: string;
  readonly unit: string;
  readonly experiment: string;
  readonly variant: string;
  readonly firstMs: number;
}

const key = (run: string, unit: string, metric: string) => `${run}\u0000${unit}\u0000${metric}`;

export function metricEvent(r: BatchEventRow): MetricEvent {
  return {
    kind: r.kind,
    adId: r.ad_id,
    chargeMicro: BigInt(r.charge_micro),
    timingRequests: BigInt(r.timing_requests),
    timingMs: BigInt(r.timing_ms),
  };
}

/**
 * Per-unit totals changing within one delivery, and what their changes do to the variants' sums. A
 * unit's total for a metric is a (the metric, or a ratio's numerator) and b (its pre-period value, or the
 * ratio's denominator); when they go from (a, b) to (a', b'), the variant's Σa moves by a' − a, Σa² by
 * a'² − a² (= 2a·d + d² for d = a' − a), Σb and Σb² alike, and Σab by a'b' − ab. Exact: BigInt here,
 * numeric in the database.
 */
export class Accumulator {
  /** Changes to units' totals: key → {exposure, metric, da, db, reset}. */
  private readonly changes = new Map<
    string,
    { x: Exposure; metric: string; da: bigint; db: bigint; replace?: { a: bigint; b: bigint } }
  >();
  /** New units per (run, variant): n moves for every metric. */
  private readonly newUnits = new Map<string, { x: Exposure; count: number }>();

  /** A unit newly exposed in a run. */
  exposed(x: Exposure): void {
    const k = `${x.run}\u0000${x.variant}`;
    const cur = this.newUnits.get(k) ?? { x, count: 0 };
    cur.count++;
    this.newUnits.set(k, cur);
  }

  /**
   * Sets a unit's totals to what `events` give against its (new) first exposure, replacing what is
   * stored: used when a first exposure is recorded or moves earlier.
   */
  recompute(x: Exposure, events: readonly BatchEventRow[]): void {
    for (const m of METRICS) {
      let a = 0n;
      let b = 0n;
      for (const r of events) {
        const c = contribution(m, metricEvent(r), r.at_ms, x.firstMs);
        if (c) {
          a += c.a;
          b += c.b;
        }
      }
      this.changes.set(key(x.run, x.unit, m.key), { x, metric: m.key, da: 0n, db: 0n, replace: { a, b } });
    }
  }

  /** Adds an event of the delivery's batch to the unit's totals in a run it is exposed in. */
  add(x: Exposure, r: BatchEventRow): void {
    const e = metricEvent(r);
    for (const m of METRICS) {
      const c = contribution(m, e, r.at_ms, x.firstMs);
      if (!c) continue;
      const k = key(x.run, x.unit, m.key);
      const cur = this.changes.get(k) ?? { x, metric: m.key, da: 0n, db: 0n };
      cur.da += c.a;
      cur.db += c.b;
      this.changes.set(k, cur);
    }
  }

  /** The unit-metric keys whose stored totals are needed. */
  keys(): { run: string; unit: string; metric: string }[] {
    return [...this.changes.values()].map((c) => ({ run: c.x.run, unit: c.x.unit, metric: c.metric }));
  }

  /** The units' new totals and the sums' increments, both in key order, from the stored totals. */
  settle(stored: readonly UnitValueRow[]): { values: UnitValueRow[]; sums: SumsDelta[] } {
    const before = new Map(
      stored.map((r) => [key(r.run, r.unit, r.metric), { a: BigInt(r.a), b: BigInt(r.b) }]),
    );
    const values: UnitValueRow[] = [];
    const sums = new Map<
      string,
      { run: string; variant: string; metric: string; experiment: string; n: number; s: bigint[] }
    >();
    const sumOf = (x: Exposure, metric: string) => {
      const k = `${x.run}\u0000${x.variant}\u0000${metric}`;
      let s = sums.get(k);
      if (!s) {
        s = {
          run: x.run,
          variant: x.variant,
          metric,
          experiment: x.experiment,
          n: 0,
          s: [0n, 0n, 0n, 0n, 0n],
        };
        sums.set(k, s);
      }
      return s;
    };
    for (const { x, count } of this.newUnits.values()) for (const m of METRICS) sumOf(x, m.key).n += count;
    for (const [k, c] of this.changes) {
      const old = before.get(k) ?? { a: 0n, b: 0n };
      const base = c.replace ?? old;
      const a = base.a + c.da;
      const b = base.b + c.db;
      if (a === old.a && b === old.b) continue;
      values.push({ run: c.x.run, unit: c.x.unit, metric: c.metric, a: a.toString(), b: b.toString() });
      const s = sumOf(c.x, c.metric).s;
      s[0]! += a - old.a;
      s[1]! += a * a - old.a * old.a;
      s[2]! += b - old.b;
      s[3]! += b * b - old.b * old.b;
      s[4]! += a * b - old.a * old.b;
    }
    const cmp = (p: string, q: string) => (p < q ? -1 : p > q ? 1 : 0);
    values.sort((p, q) => cmp(key(p.run, p.unit, p.metric), key(q.run, q.unit, q.metric)));
    const deltas = [...sums.entries()]
      .sort(([p], [q]) => cmp(p, q))
      .map(([, s]) => ({
        run: s.run,
        variant: s.variant,
        metric: s.metric,
        experiment: s.experiment,
        n: s.n,
        s_a: s.s[0]!.toString(),
        s_aa: s.s[1]!.toString(),
        s_b: s.s[2]!.toString(),
        s_bb: s.s[3]!.toString(),
        s_ab: s.s[4]!.toString(),
      }));
    return { values, sums: deltas };
  }
}
