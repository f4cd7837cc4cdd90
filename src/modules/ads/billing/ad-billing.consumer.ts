import type { JobContext } from '../../../platform/jobs/types.js';
import type { Metrics } from '../../../platform/metrics.js';
import type { SpendStore } from '../../../platform/spend/spend-store.js';
import { EVENTS_BATCH_TOPIC, parseEventsBatch } from '../../events/index.js';
import type { TopicConsumer } from '../../topics.js';
import { budgetCaps } from '../serving/budget-keys.js';
import {
  type ChargeBudget,
  type PendingCharge,
  adBillingRepository as repo,
  type SettledCharge,
} from './ad-billing.repository.js';

export const AD_BILLING_CONSUMER = 'ads.billing';

/** Billing deliveries one process runs at once (services mode). */
const BILLING_CONCURRENCY = 4;

/**
 * For crash tests only: called once a delivery has settled its charges in the spend store and written the
 * ledger, before its transaction commits (the window a crash must not double-bill).
 */
export const billingTestHooks: {
  afterSettle?: (info: { batchId: string; charges: number; ctx: JobContext }) => Promise<void>;
} = {};

/**
 * Billing: for each accepted batch of events, the charges recorded with its billable events (ad_charges,
 * written in the statement that stored the events) are settled against the shared spend store, and the
 * outcome goes to the charges, the ledger and ads analytics in the delivery's transaction.
 *
 * Exactly once: a charge exists once per impression token (its primary key), so a token is billed at most
 * once however often its events are sent; the spend store's settle is idempotent (a repeat answers what
 * the first settle did), so a delivery that dies after settling and before committing settles to the same
 * outcome when redelivered, and the ledger adds it once, with the delivery record.
 */
export function adBillingConsumer(
  spend: SpendStore,
  metrics: Metrics,
): TopicConsumer<typeof EVENTS_BATCH_TOPIC> {
  const billed = metrics.counter(
    'corkboard_ads_billed_total',
    'Billable events of promoted pins settled, by outcome (charged, overdelivered: served beyond a cap and free; released, unknown: the reservation was gone, nothing charged).',
    ['state'] as const,
  );
  const micro = metrics.counter(
    'corkboard_ads_billed_micro_total',
    'Micro-currency charged to advertisers (all currencies together) and served free beyond caps.',
    ['state'] as const,
  );
  return {
    name: AD_BILLING_CONSUMER,
    topics: [EVENTS_BATCH_TOPIC],
    // A delivery waits on PostgreSQL and Redis most of its time; batches' charges are distinct rows, and the
    // ledger and analytics rows they share are upserted in key order, so deliveries run side by side.
    concurrency: BILLING_CONCURRENCY,
    async handle(payload, ctx) {
      const { batchId } = parseEventsBatch(payload);
      const pending = await repo.pending(ctx.trx, batchId);
      if (pending.length === 0) return;
      const settled = await settleAll(spend, pending);
      await repo.settle(ctx.trx, settled);
      await billingTestHooks.afterSettle?.({ batchId, charges: settled.length, ctx });
      for (const s of settled) {
        billed.inc({ state: s.state });
        if (s.charged_micro > 0) micro.inc({ state: 'charged' }, s.charged_micro);
        if (s.overdelivered_micro > 0) micro.inc({ state: 'overdelivered' }, s.overdelivered_micro);
      }
      ctx.log.debug({ batchId, charges: settled.length }, 'ad charges settled');
    },
  };
}

/**
 * Settles a batch's charges: all in one spend-store call (a script in Redis per 200 blocks), then, one by one, the
 * few that need more: a charge whose ad is gone releases its hold and bills nothing; one whose reservation
 * the store does not know is billed late.
 */
async function settleAll(spend: SpendStore, pending: readonly PendingCharge[]): Promise<SettledCharge[]> {
  // Every served ad's hold is a part of its node's budget block: each charge settles its own part, a
  // block's parts side by side (the store settles a run of one block's parts together).
  const live = pending
    .filter((c) => c.budget !== null)
    .sort((x, y) => (x.reservation_id < y.reservation_id ? -1 : x.reservation_id > y.reservation_id ? 1 : 0));
  const results = await spend.settleMany(
    live.map((c) => ({
      reservationId: c.reservation_id,
      actual: c.amount_micro,
      part: c.token_id,
      held: c.hold_micro,
    })),
  );
  const out = new Map<PendingCharge, SettledCharge>();
  const slow: Promise<void>[] = [];
  live.forEach((c, i) => {
    const r = results[i]!;
    if (r.state === 'unknown') slow.push(lateCharge(spend, c, c.budget!).then((s) => void out.set(c, s)));
    else out.set(c, outcome(c, r.state, r.charged, r.overdelivered));
  });
  for (const c of pending)
    if (c.budget === null)
      // The ad is gone with its account: nothing to bill; its part of the block is given back.
      slow.push(
        spend
          .giveBack(c.reservation_id, c.hold_micro)
          .then(() => void out.set(c, outcome(c, 'unknown', 0, 0))),
      );
  await Promise.all(slow);
  return pending.map((c) => out.get(c)!);
}

/**
 * A charge whose reservation the spend store no longer knows (the in-process store restarted, or Redis
 * lost it) is billed as a late one: charged only if its budgets still have room for it now, on the keys of
 * the day it was served, else served free (overdelivery). A reserve then a settle, each atomic, so the cap
 * holds; a redelivery after a crash between them may take the amount from the store's totals twice (the
 * ledger, written once, stays exact; the budget then errs towards refusing).
 */
async function lateCharge(spend: SpendStore, c: PendingCharge, budget: ChargeBudget): Promise<SettledCharge> {
  const caps = budgetCaps(budget, c.served_ms);
  const free = outcome(c, 'overdelivered', 0, c.amount_micro);
  if (caps.length === 0 || c.amount_micro < 1) return free;
  const held = await spend.reserve({ caps, amount: c.amount_micro, ttlMs: LATE_HOLD_MS });
  if (!held.ok) return free;
  const r = await spend.settle(held.reservationId, c.amount_micro);
  return outcome(c, r.state, r.charged, r.overdelivered);
}

function outcome(
  c: PendingCharge,
  state: SettledCharge['state'],
  charged: number,
  overdelivered: number,
): SettledCharge {
  return {
    token_id: c.token_id,
    ad_id: c.ad_id,
    app_type: c.app_type,
    served_ms: c.served_ms,
    state,
    charged_micro: charged,
    overdelivered_micro: overdelivered,
  };
}

/** How long a late charge's reservation holds between its reserve and its settle. */
const LATE_HOLD_MS = 60_000;
