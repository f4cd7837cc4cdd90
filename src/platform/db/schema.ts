import type { ColumnType, Generated } from 'kysely';

/** int8 columns arrive as decimal strings from both pg and PGlite (see database.ts). */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A generated int8 primary key (bigserial). */
type Int8Key = ColumnType<string, string | number | bigint | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface InstanceSecretTable {
  name: string;
  value: string;
  created_at: Generated<Timestamp>;
}

export interface OutboxTable {
  id: Int8Key;
  topic: string;
  payload: Json;
  created_at: Generated<Timestamp>;
  published_at: Timestamp | null;
}

export interface JobQueueTable {
  event_id: Int8;
  consumer: string;
  topic: string;
  payload: Json;
  attempts: Generated<number>;
  run_at: Generated<Timestamp>;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
}

export interface JobDoneTable {
  event_id: Int8;
  consumer: string;
  done_at: Generated<Timestamp>;
}

export interface DeadLetterTable {
  event_id: Int8;
  consumer: string;
  topic: string;
  payload: Json;
  attempts: number;
  last_error: string | null;
  created_at: Generated<Timestamp>;
}

/** Every table Corkboard's code queries, as Kysely sees it. Modules add theirs here. */
export interface Database {
  instance_secrets: InstanceSecretTable;
  outbox: OutboxTable;
  job_queue: JobQueueTable;
  job_done: JobDoneTable;
  dead_letters: DeadLetterTable;
}
