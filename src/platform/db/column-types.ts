import type { ColumnType } from 'kysely';

/** int8 columns arrive as decimal strings from both pg and PGlite (see database.ts). */
export type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A generated int8 primary key (bigserial). */
export type Int8Key = ColumnType<string, string | number | bigint | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a default (now()). */
export type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json = ColumnType<unknown, string, string>;
/** A bigint counter with a default of 0. */
export type Count = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
