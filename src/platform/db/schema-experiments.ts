import type { ColumnType } from 'kysely';
import type { Int8Key, Json, Timestamp, TimestampDefault } from './column-types.js';

// The experiment tables (migration 0022), in the Database map of schema.ts.

type Version = ColumnType<number, number | undefined, number>;
export type DefinitionStatus = 'draft' | 'running' | 'stopped';

export interface ExperimentLayerTable {
  key: string;
  salt: string;
  holdout: number;
  description: string;
  version: Version;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ExperimentTable {
  key: string;
  layer: string;
  description: string;
  hypothesis: string;
  owner: string;
  salt: string;
  buckets: Json;
  variants: Json;
  targeting: Json;
  ramp: number;
  /** The metrics it is analysed on (migration 0025); null: the catalog's, with their defaults. */
  metrics: ColumnType<unknown, string | null | undefined, string | null>;
  status: DefinitionStatus;
  started_at: Timestamp | null;
  stopped_at: Timestamp | null;
  version: Version;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface FeatureFlagTable {
  key: string;
  description: string;
  owner: string;
  salt: string;
  rollout: number;
  value: Json;
  default_value: Json;
  targeting: Json;
  status: DefinitionStatus;
  version: Version;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ExperimentAuditTable {
  id: Int8Key;
  subject: 'experiment' | 'layer' | 'flag';
  subject_key: string;
  action: string;
  actor: string;
  at: TimestampDefault;
  before: Json | null;
  after: Json | null;
  notes: ColumnType<unknown, string | undefined, string>;
}
