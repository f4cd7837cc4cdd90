import { sql } from 'kysely';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Principal } from '../../platform/principal.js';
import { emit, type Topics } from '../topics.js';
import {
  appendRow,
  type ClientBatchOutcome,
  type ClientBatchRow,
  type EventColumns,
  emptyColumns,
  eventsRepository as repo,
} from './events.repository.js';
import { type AppType, MAX_BATCH, type ServerKind } from './events.schemas.js';
import {
  actorOf,
  type ClientEventInput,
  fitToken,
  parseEvent,
  type Rejection,
  type SessionStartInput,
} from './events.validate.js';
import { GroupCommit } from './group-commit.js';
import type { AdClaim, ImpressionTokens, Surface } from './impression-tokens.js';
import { viewerOf } from './impression-tokens.js';
import { dayOf, EventPartitions, isMissingPartition } from './partitions.js';

/** The outbox topic of every stored batch of events; the rollups read it. */
export const EVENTS_BATCH_TOPIC = 'events.batch';

/** Payload of {@link EVENTS_BATCH_TOPIC}: the batch_id of the rows just inserted and their distinct days. */
export type EventsBatchPayload = Topics['events.batch'];

/**
 * Reads an {@link EVENTS_BATCH_TOPIC} payload for a consumer: throws (so the delivery is retried, then
 * dead-lettered) without a numeric batchId; `days` is null when absent or malformed (the consumer then
 * reads the batch from every partition).
 */
export function parseEventsBatch(payload: unknown): { batchId: string; days: string[] | null } {
  const p = payload as { batchId?: unknown; days?: unknown };
  if (typeof p?.batchId !== 'string' || !/^\d+$/.test(p.batchId))
    throw new Error(`events.batch payload without a numeric batchId: ${JSON.stringify(payload)}`);
  const days =
    Array.isArray(p.days) && p.days.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d))
      ? (p.days as string[])
      : null;
  return { batchId: p.batchId, days };
}

/** An event the API records itself, in the transaction of the action it tells of. */
export interface ServerEvent {
  kind: ServerKind;
  /** The acting user. */
  userId: string;
  appId?: string | null;
  pinId?: string | null;
  boardId?: string | null;
  targetUserId?: string | null;
  query?: string | null;
  surface?: Surface | null;
  position?: number | null;
  /** Default OTHER: the API does not know the caller's device. */
  appType?: AppType;
  requestId?: string | null;
  /** The ad the event is about when the item was promoted; absent for organic events. */
  adId?: string | null;
  /** Default: now. */
  at?: Date;
}

/** An exposure to store: a unit read a parameter of `experiment`'s run `run` (its salt) in `variant`. */
export interface ExposureEvent {
  unit: { userId: string } | { deviceId: string };
  experiment: string;
  run: string;
  variant: string;
  at: Date;
  appType?: AppType;
}

/** A unit's home feed requests gathered by one process: how many, their server time summed (ms). */
export interface TimingEvent {
  /** `<unit>:t:<process nonce>:<n>`: the same through retries, so a write stores it once. */
  id: string;
  unit: { userId: string } | { deviceId: string };
  requests: number;
  ms: number;
  /** The last request's time. */
  at: Date;
}

export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  batch_id: string | null;
}

export interface EventsDeps {
  db: Db;
  ids: IdGenerator;
  tokens: ImpressionTokens;
  metrics: Metrics;
  config: Pick<
    Config,
    'eventsMaxSkewMs' | 'eventsLatenessMs' | 'eventsRetentionDays' | 'eventsPartitionsAhead'
  >;
  /** Wakes the outbox relay after a commit that emitted an event. */
  eventsCommitted: () => void;
  /** Epoch ms; tests move it. */
  clock?: () => number;
}

/** An item event that passed every check made before the database: what to store and its token use. */
interface ItemCandidate {
  ev: ClientEventInput;
  id: string;
  tokenId: string;
  expiresAt: number;
  useKey: string;
  userId: string | null;
  requestId: string;
  surface: Surface;
  position: number;
  /** The promoted item's auction outcome, when the token is a promoted item's. */
  ad: AdClaim | undefined;
  /** When the item was served (the token's issue time), epoch ms. */
  servedAt: number;
}

/** A SESSION_START that passed every check: no item, so no token use. */
interface SessionCandidate {
  ev: SessionStartInput;
  id: string;
  userId: string | null;
}

type Candidate = ItemCandidate | SessionCandidate;

/**
 * Whether an event of `kind` is the one its promoted item is billed for: an impression of an ad billed
 * per impression, a close-up or an outbound click of one billed per click (the first of them: a token is
 * billed once, see ad_charges).
 */
export function billable(ad: AdClaim, kind: string): boolean {
  return ad.billableEvent === 'IMPRESSION'
    ? kind === 'IMPRESSION'
    : kind === 'PIN_CLICK' || kind === 'OUTBOUND_CLICK';
}

/**
 * The durable event stream: client events from `POST /v5/events` and the API's own (save, follow, search).
 *
 * A client batch is one statement, so one transaction: token uses, event rows and the `events.batch`
 * outbox row commit together before the 2xx, so an accepted event survives a crash right after the answer, and the rollups hear of
 * every stored row exactly once. Each client event needs the impression token its item was served with;
 * a token counts once per kind (impression_token_uses), so a replay is refused and a retry of the same
 * event id is a duplicate. Stored ids are `u<user id>:<event_id>` or `d<device id>:<event_id>`, unique per
 * day partition.
 */
export class EventsService {
  readonly partitions: EventPartitions;
  private readonly clock: () => number;
  private readonly tokenRejections;
  private readonly ingested;
  private readonly batchIds: string[] = [];

  constructor(private readonly deps: EventsDeps) {
    this.partitions = new EventPartitions(deps.db);
    this.clock = deps.clock ?? Date.now;
    this.tokenRejections = deps.metrics.counter(
      'corkboard_impression_tokens_rejected_total',
      'Client events refused for their impression token, by reason (malformed, forged, expired, replayed, wrong_viewer, mismatch).',
      ['reason'] as const,
    );
    this.ingested = deps.metrics.counter(
      'corkboard_events_ingested_total',
      'Client events received by POST /v5/events, by outcome (accepted, duplicate, rejected).',
      ['outcome'] as const,
    );
  }

  /** Validates, de-duplicates and stores a client batch for `caller`; per-event rejections, never partial. */
  async ingest(caller: Principal, events: readonly unknown[]): Promise<BatchResult> {
    if (events.length > MAX_BATCH)
      throw new Invalid(`A batch holds at most ${MAX_BATCH} events; this one has ${events.length}.`);
    const now = this.clock();
    const cfg = this.deps.config;
    const window = { now, maxSkewMs: cfg.eventsMaxSkewMs, latenessMs: cfg.eventsLatenessMs };
    const rejected: Rejection[] = [];
    const misuse = new Map<string, number>();
    const count = (reason: string) => misuse.set(reason, (misuse.get(reason) ?? 0) + 1);
    let duplicates = 0;

    // 1. Each event on its own: shape, time window, token signature and fit.
    const byId = new Map<string, Candidate>();
    const byUse = new Map<string, ItemCandidate>();
    const fitting: Candidate[] = [];
    for (let i = 0; i < events.length; i++) {
      const parsed = parseEvent(events[i], i, window);
      if ('code' in parsed) {
        rejected.push(parsed);
        continue;
      }
      if (parsed.kind === 'SESSION_START') {
        // No item and no token: the event is the caller's own, as an app-only token's item events are
        // the device's they name. Idempotent by its id, as every client event is.
        const appOnly = 'viewerAppId' in viewerOf(caller);
        const who = actorOf(parsed, caller.userId, appOnly);
        if ('rejection' in who) {
          rejected.push(who.rejection);
          continue;
        }
        const id = `${who.actor}:${parsed.eventId}`;
        if (byId.has(id)) {
          duplicates++;
          continue;
        }
        const c: SessionCandidate = { ev: parsed, id, userId: appOnly ? null : caller.userId };
        byId.set(id, c);
        fitting.push(c);
        continue;
      }
      const verified = this.deps.tokens.verify(parsed.token, now);
      if (!verified.ok) {
        count(verified.reason);
        rejected.push(tokenRejection(parsed, verified.reason));
        continue;
      }
      const claims = verified.claims;
      const fit = fitToken(parsed, claims, caller, cfg.eventsMaxSkewMs);
      if ('rejection' in fit) {
        if (fit.misuse) count(fit.misuse);
        rejected.push(fit.rejection);
        continue;
      }
      const id = `${fit.actor}:${parsed.eventId}`;
      // The same event twice in one batch: the second is a duplicate, whatever it says.
      if (byId.has(id)) {
        duplicates++;
        continue;
      }
      const useKey = `${claims.tokenId}|${parsed.kind}`;
      if (byUse.has(useKey)) {
        count('replayed');
        rejected.push(replay(parsed));
        continue;
      }
      const c: ItemCandidate = {
        ev: parsed,
        id,
        tokenId: claims.tokenId,
        expiresAt: claims.expiresAt,
        useKey,
        userId: claims.viewer.kind === 'user' ? caller.userId : null,
        requestId: claims.requestId,
        surface: claims.surface,
        position: claims.position,
        ad: claims.ad,
        servedAt: claims.issuedAt,
      };
      byId.set(id, c);
      byUse.set(useKey, c);
      fitting.push(c);
    }

    // 2. One statement: pins that exist, token uses (replays and retries found here), rows, outbox.
    let batchId: string | null = null;
    let accepted = 0;
    if (fitting.length > 0) {
      const stored = await this.store(fitting, caller.appId);
      batchId = stored.batchId;
      accepted = stored.accepted;
      duplicates += stored.duplicates;
      for (const c of stored.missing)
        rejected.push({
          index: c.ev.index,
          event_id: c.ev.eventId,
          code: 'unknown_pin',
          reason: `Pin ${c.ev.pinId} does not exist.`,
        });
      for (const c of stored.replays) {
        count('replayed');
        rejected.push(replay(c.ev));
      }
      if (accepted > 0) this.deps.eventsCommitted();
    }

    for (const [reason, n] of misuse) this.tokenRejections.inc({ reason }, n);
    if (accepted) this.ingested.inc({ outcome: 'accepted' }, accepted);
    if (duplicates) this.ingested.inc({ outcome: 'duplicate' }, duplicates);
    if (rejected.length) this.ingested.inc({ outcome: 'rejected' }, rejected.length);
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, duplicates, rejected, batch_id: batchId };
  }

  /** A batch id from a block reserved ahead (one sequence round trip per 64 batches). */
  private async nextBatchId(): Promise<string> {
    if (this.batchIds.length === 0) this.batchIds.push(...(await this.deps.ids.many('eventBatch', 64)));
    return this.batchIds.pop() ?? this.deps.ids.next('eventBatch');
  }

  private async store(candidates: Candidate[], appId: string) {
    const b: ClientBatchRow[] = candidates.map((c, i) => {
      const common = {
        ord: i,
        kind: c.ev.kind,
        id: c.id,
        day: dayOf(c.ev.occurredAt),
        occurred_ms: c.ev.occurredAt,
        user_id: c.userId,
        device_id: c.ev.deviceId ?? null,
        app_type: c.ev.appType,
      };
      if (!('tokenId' in c))
        return {
          ...common,
          token_id: null,
          pin_id: null,
          surface: null,
          position: null,
          request_id: null,
          expires_ms: null,
          ad_id: null,
          charge: null,
        };
      return {
        ...common,
        token_id: c.tokenId,
        pin_id: c.ev.pinId,
        surface: c.surface,
        position: c.position,
        request_id: c.requestId || null,
        expires_ms: c.expiresAt,
        ad_id: c.ad?.adId ?? null,
        charge: c.ad && billable(c.ad, c.ev.kind) ? chargeOf(c.ad, c.servedAt) : null,
      };
    });
    const days = b.map((r) => r.day);
    await this.partitions.ensure(days);
    const batchId = await this.nextBatchId();
    let outcome: ClientBatchOutcome;
    try {
      outcome = await repo.storeClientBatch(this.deps.db, b, appId, batchId, EVENTS_BATCH_TOPIC);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      // Another process dropped a partition this one remembered: look again and retry once.
      this.partitions.forget();
      await this.partitions.ensure(days);
      outcome = await repo.storeClientBatch(this.deps.db, b, appId, batchId, EVENTS_BATCH_TOPIC);
    }
    // Only item events can miss their pin or find their token taken.
    const missing = outcome.missing.map((i) => candidates[i] as ItemCandidate);
    const taken = outcome.taken.map((i) => candidates[i] as ItemCandidate);
    let duplicates = 0;
    const replays: ItemCandidate[] = [];
    if (taken.length > 0) {
      // Committed token uses never change: who holds each can be read after the fact.
      const holders = await repo.tokenUseHolders(
        this.deps.db,
        taken.map((c) => c.tokenId),
        taken.map((c) => c.ev.kind),
      );
      for (const c of taken) {
        // A retry of the same event is a duplicate; another event with the same token is a replay.
        if (holders.get(c.useKey) === c.id) duplicates++;
        else replays.push(c);
      }
    }
    // A new token use whose event id was already stored that day (under another token): a duplicate.
    duplicates += candidates.length - missing.length - taken.length - outcome.stored;
    return {
      batchId: outcome.stored > 0 ? batchId : null,
      accepted: outcome.stored,
      duplicates,
      replays,
      missing,
    };
  }

  /** Inserts rows under a new batch id and emits events.batch for what was written. */
  private async insert(
    trx: Db,
    rows: EventColumns,
    batchId: string,
  ): Promise<{ batchId: string | null; count: number }> {
    const written = await repo.insertEvents(trx, rows, batchId);
    if (written.length === 0) return { batchId: null, count: 0 };
    const payload: EventsBatchPayload = { batchId, days: [...new Set(written.map((w) => w.day))].sort() };
    await emit(trx, EVENTS_BATCH_TOPIC, payload);
    return { batchId, count: written.length };
  }

  /**
   * Records the API's own events (SAVE, FOLLOW, UNFOLLOW, SEARCH) in the caller's transaction: rows and
   * the events.batch outbox row commit with the action or not at all. Call `eventsCommitted` after the
   * commit (services that emit do already). Returns the batch id.
   */
  async record(trx: Db, events: readonly ServerEvent[]): Promise<string | null> {
    if (events.length === 0) return null;
    const now = this.clock();
    const rows = emptyColumns();
    const days: string[] = [];
    const batchId = await this.deps.ids.next('eventBatch', trx);
    // `:` never appears in a client's event_id, so these ids cannot meet a client's.
    const serial = `s:${batchId}`;
    events.forEach((e, i) => {
      const at = e.at?.getTime() ?? now;
      const day = dayOf(at);
      days.push(day);
      rows.day.push(day);
      rows.id.push(`u${e.userId}:${serial}:${i}`);
      rows.kind.push(e.kind);
      rows.occurred_at.push(new Date(at).toISOString());
      rows.user_id.push(e.userId);
      rows.device_id.push(null);
      rows.app_id.push(e.appId ?? null);
      rows.pin_id.push(e.pinId ?? null);
      rows.board_id.push(e.boardId ?? null);
      rows.target_user_id.push(e.targetUserId ?? null);
      // PostgreSQL text cannot hold NUL; a query may (it is searched as words anyway).
      rows.query.push(e.query == null ? null : e.query.replaceAll('\u0000', ''));
      rows.surface.push(e.surface ?? null);
      rows.position.push(e.position ?? null);
      rows.app_type.push(e.appType ?? 'OTHER');
      rows.request_id.push(e.requestId ?? null);
      rows.ad_id.push(e.adId ?? null);
      rows.experiment.push(null);
      rows.experiment_run.push(null);
      rows.variant.push(null);
      rows.timing_requests.push(null);
      rows.timing_ms.push(null);
    });
    await this.partitions.ensure(days, trx);
    return (await this.insert(trx, rows, batchId)).batchId;
  }

  /**
   * {@link record} for actions that write nothing else (searches): resolves once the events are committed,
   * by group commit (see GroupCommit) with asynchronous commit (`synchronous_commit = off`). A commit per
   * search waited for a disk flush each, and cost more than the search when the disk was busy (p99 over
   * 100 ms). Once this resolves the events survive a crash of this process; a crash of PostgreSQL itself
   * may lose the last fraction of a second of them (three times wal_writer_delay at most). Saves, follows
   * and client batches are committed synchronously, with their action.
   */
  recordNow(events: readonly ServerEvent[]): Promise<void> {
    return this.alone.add(events);
  }

  private readonly alone = new GroupCommit<ServerEvent>(async (events) => {
    const batch = await this.deps.db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      return this.record(trx, events);
    });
    if (batch) this.deps.eventsCommitted();
  });

  /**
   * Stores exposures (experiments/exposure) in one transaction of its own with asynchronous commit, as
   * searches are. Each row's id is `<unit>:x:<run>` (`u<user id>` or `d<device id>`), so the day
   * partition's primary key keeps one exposure per unit, run and UTC day: a second one, from this process
   * after a restart or from any other, is skipped by the insert. What was written is announced on
   * events.batch in the same transaction. Returns how many rows were new.
   */
  async recordExposures(exposures: readonly ExposureEvent[]): Promise<number> {
    const rows = emptyColumns();
    for (const x of exposures)
      appendRow(rows, {
        day: dayOf(x.at.getTime()),
        id: `${unitId(x.unit)}:x:${x.run}`,
        kind: 'EXPOSURE',
        occurred_at: x.at.toISOString(),
        ...unitColumns(x.unit),
        app_type: x.appType ?? 'OTHER',
        experiment: x.experiment,
        experiment_run: x.run,
        variant: x.variant,
      });
    return this.writeAlone(rows);
  }

  /**
   * Stores FEED_TIMING events (experiments/exposure/timing-buffer.ts) as exposures are stored: one
   * transaction with asynchronous commit, announced on events.batch. Each carries its unit's request
   * count and summed server time; its id, kept through retries, makes a repeated write store nothing.
   * Returns how many rows were new.
   */
  async recordTimings(timings: readonly TimingEvent[]): Promise<number> {
    const rows = emptyColumns();
    for (const t of timings)
      appendRow(rows, {
        day: dayOf(t.at.getTime()),
        id: t.id,
        kind: 'FEED_TIMING',
        occurred_at: t.at.toISOString(),
        ...unitColumns(t.unit),
        timing_requests: t.requests,
        timing_ms: t.ms,
      });
    return this.writeAlone(rows);
  }

  /**
   * Rows the API writes on its own (no action to commit with), in a transaction of their own with
   * asynchronous commit, partitions made if needed; returns how many were new.
   */
  private async writeAlone(rows: EventColumns): Promise<number> {
    if (rows.id.length === 0) return 0;
    const days = rows.day;
    const write = () =>
      this.deps.db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        await this.partitions.ensure(days, trx);
        const batchId = await this.deps.ids.next('eventBatch', trx);
        return (await this.insert(trx, rows, batchId)).count;
      });
    let written: number;
    try {
      written = await write();
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      this.partitions.forget();
      written = await write();
    }
    if (written > 0) this.deps.eventsCommitted();
    return written;
  }

  /**
   * Upkeep: partitions for the lateness window back to EVENTS_PARTITIONS_AHEAD days ahead, partitions past
   * EVENTS_RETENTION_DAYS dropped, token uses past their token's expiry deleted.
   */
  async maintain(now = this.clock()) {
    const cfg = this.deps.config;
    const partitions = await this.partitions.maintain(now, {
      aheadDays: cfg.eventsPartitionsAhead,
      backDays: Math.ceil(cfg.eventsLatenessMs / 86_400_000),
      retentionDays: cfg.eventsRetentionDays,
    });
    let pruned = 0;
    for (;;) {
      const n = await repo.pruneTokenUses(this.deps.db, new Date(now), 10_000);
      pruned += n;
      if (n < 10_000) break;
    }
    return { ...partitions, prunedTokenUses: pruned };
  }
}

/** A unit's stored prefix: `u<user id>` or `d<device id>` (event ids, exposures' and timings' keys). */
export const unitId = (unit: { userId: string } | { deviceId: string }) =>
  'userId' in unit ? `u${unit.userId}` : `d${unit.deviceId}`;

/** A unit's user_id and device_id columns. */
const unitColumns = (unit: { userId: string } | { deviceId: string }) =>
  'userId' in unit ? { user_id: unit.userId } : { device_id: unit.deviceId };

function chargeOf(ad: AdClaim, servedAt: number) {
  return {
    amount_micro: ad.chargeMicro,
    hold_micro: ad.holdMicro,
    reservation_id: ad.reservationId,
    served_ms: servedAt,
  };
}

function tokenRejection(ev: ClientEventInput, reason: 'malformed' | 'forged' | 'expired'): Rejection {
  const text = {
    malformed: 'impression_token is not a token this server issued.',
    forged: 'impression_token fails its signature check.',
    expired: 'impression_token has expired; impressions and clicks must be reported while it is valid.',
  }[reason];
  return { index: ev.index, event_id: ev.eventId, code: `token_${reason}`, reason: text };
}

function replay(ev: ClientEventInput): Rejection {
  return {
    index: ev.index,
    event_id: ev.eventId,
    code: 'token_replayed',
    reason: `This impression token was already used for a ${ev.kind} event with another event_id.`,
  };
}
