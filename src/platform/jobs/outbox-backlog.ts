import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** What waits in the outbox for one topic. */
export interface TopicBacklog {
  topic: string;
  /** Rows not yet relayed to the broker, counted up to OUTBOX_COUNT_CAP. */
  unpublished: number;
  /** Age of the first of them (by the database's clock), in seconds; 0 when none waits. */
  oldestSeconds: number;
}

/** What the jobs check of `/readyz?verbose` reports. */
export interface JobsHealth {
  status: 'ok' | 'stalled';
  /** Unpublished outbox rows over all topics, counted up to OUTBOX_COUNT_CAP. */
  unpublished: number;
  oldestUnpublishedSeconds: number;
  oldestUnpublishedTopic: string | null;
  stallSeconds: number;
}

/**
 * Counting stops here: past it the number only says "very far behind", and a count of millions of rows
 * at every scrape of every node would be a load of its own.
 */
export const OUTBOX_COUNT_CAP = 100_000;
/** Topics found waiting beyond the known ones are looked for up to this many (a guard, not a limit seen). */
const MAX_TOPICS = 200;

/**
 * Reads the outbox rows no relay has published yet. They are the backlog that is there whatever the broker:
 * with no process running jobs (an API node in services mode without a worker), nothing reaches Redis or
 * `job_queue`, and only the outbox grows. Every reading is a few index probes on the partial indexes of
 * unpublished rows (migrations 0001 and 0013), bounded by the count cap, so it is cheap at scrape time.
 */
export class OutboxBacklog {
  constructor(
    private readonly db: Db,
    /** Topics some consumer reads: always reported, 0 when nothing waits, so an alert has a series. */
    private readonly knownTopics: readonly string[],
  ) {}

  /** The jobs check: stalled when the oldest unpublished row has waited longer than `stallSeconds`. */
  async health(stallSeconds: number): Promise<JobsHealth> {
    const { rows } = await sql<{ topic: string; seconds: number; unpublished: number }>`
      select o.topic,
             greatest(0, extract(epoch from now() - o.created_at))::float8 as seconds,
             (select count(*) from (select 1 from outbox u where u.published_at is null
                                     limit ${OUTBOX_COUNT_CAP}) c)::int as unpublished
        from outbox o
       where o.published_at is null
       order by o.id
       limit 1
    `.execute(this.db);
    const first = rows[0];
    const oldest = first ? Number(first.seconds) : 0;
    return {
      status: oldest > stallSeconds ? 'stalled' : 'ok',
      unpublished: first ? Number(first.unpublished) : 0,
      oldestUnpublishedSeconds: Math.round(oldest * 1000) / 1000,
      oldestUnpublishedTopic: first?.topic ?? null,
      stallSeconds,
    };
  }

  /** Per topic: the known topics and any other topic with rows waiting, sorted by name. */
  async byTopic(): Promise<TopicBacklog[]> {
    // The topics present are found by skipping through the (topic, id) index, one probe per topic,
    // rather than by grouping every unpublished row.
    const { rows } = await sql<{ topic: string; unpublished: number; oldest: number }>`
      with recursive present(topic, n) as (
        (select topic, 1 from outbox where published_at is null order by topic limit 1)
        union all
        select (select o.topic from outbox o
                 where o.published_at is null and o.topic > p.topic
                 order by o.topic limit 1),
               p.n + 1
          from present p
         where p.topic is not null and p.n < ${MAX_TOPICS}
      ), topics(topic) as (
        select topic from present where topic is not null
        union
        select unnest(${[...this.knownTopics]}::text[])
      )
      select t.topic,
             (select count(*) from (select 1 from outbox o
                                     where o.published_at is null and o.topic = t.topic
                                     limit ${OUTBOX_COUNT_CAP}) c)::int as unpublished,
             coalesce((select greatest(0, extract(epoch from now() - o.created_at))
                         from outbox o
                        where o.published_at is null and o.topic = t.topic
                        order by o.id limit 1), 0)::float8 as oldest
        from topics t
       order by t.topic
    `.execute(this.db);
    return rows.map((r) => ({
      topic: r.topic,
      unpublished: Number(r.unpublished),
      oldestSeconds: Number(r.oldest),
    }));
  }
}
