import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// What a billed item held of its node's budget block (its impression token says): billing takes at most
// this off the block's hold and the rest of the charge from the budget's room. Charges recorded before
// held their whole amount.
const statements = [
  sql`alter table ad_charges add column hold_micro bigint check (hold_micro >= 0)`,
  sql`update ad_charges set hold_micro = amount_micro where hold_micro is null`,
  sql`alter table ad_charges alter column hold_micro set not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
