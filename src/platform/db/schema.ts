import type { ColumnType } from 'kysely';

/** int8 columns arrive as decimal strings from both pg and PGlite (see database.ts). */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A generated int8 primary key (bigserial). */
type Int8Key = ColumnType<string, string | number | bigint | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a default (now()). */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface InstanceSecretTable {
  name: string;
  value: string;
  created_at: TimestampDefault;
}

export interface OutboxTable {
  id: Int8Key;
  topic: string;
  payload: Json;
  created_at: TimestampDefault;
  published_at: Timestamp | null;
}

export interface JobQueueTable {
  event_id: Int8;
  consumer: string;
  topic: string;
  payload: Json;
  attempts: ColumnType<number, number | undefined, number>;
  run_at: TimestampDefault;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
}

export interface JobDoneTable {
  event_id: Int8;
  consumer: string;
  done_at: TimestampDefault;
}

export interface DeadLetterTable {
  event_id: Int8;
  consumer: string;
  topic: string;
  payload: Json;
  attempts: number;
  last_error: string | null;
  created_at: TimestampDefault;
}

/** Every table Corkboard's code queries, as Kysely sees it. Modules add theirs here. */
export interface Database {
  instance_secrets: InstanceSecretTable;
  outbox: OutboxTable;
  job_queue: JobQueueTable;
  job_done: JobDoneTable;
  dead_letters: DeadLetterTable;
}
