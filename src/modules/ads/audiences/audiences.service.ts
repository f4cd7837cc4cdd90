import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AdAccountView } from '../accounts/ad-accounts.repository.js';
import type { AdAccess } from '../ad-access.js';
import { sameAccount, secondsOf } from '../entity-rules.js';
import { audienceMembers } from './audience-members.js';
import { bigEnough, shownSize } from './audience-privacy.js';
import { type AudienceRule, type BuiltType, checkRule } from './audience-rules.js';
import { type AudienceRow, audiencesRepository as repo } from './audiences.repository.js';
import type { AudienceCreateBody, AudienceListQuery, AudienceUpdateBody } from './audiences.schemas.js';

export interface AudiencesDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
  readonly now?: () => number;
}

/** How old the members of an audience that follows activity may grow before a refresh. */
export const REFRESH_AFTER_MS = 3_600_000;

/**
 * Audiences: who is in one is computed from its rule when it is created or changed (and when the
 * customer list or seed it is built on changes, and periodically for those that follow activity) and
 * kept in ad_audience_users for the ad server. The advertiser sees only a size rounded to a step, and
 * none below the privacy minimum.
 */
export class AudiencesService {
  constructor(private readonly deps: AudiencesDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  present(row: AudienceRow, account: AdAccountView) {
    const archived = row.status === 'ARCHIVED';
    return {
      id: String(row.id),
      ad_account_id: String(row.ad_account_id),
      name: row.name,
      audience_type: row.audience_type,
      description: row.description,
      rule: row.rule as Record<string, unknown>,
      size: archived ? null : shownSize(row.members),
      status: archived ? 'ARCHIVED' : bigEnough(row.members) ? 'READY' : 'TOO_SMALL',
      type: 'audience' as const,
      created_by_company_name: account.name,
      created_timestamp: secondsOf(row.created_at)!,
      updated_timestamp: secondsOf(row.updated_at)!,
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/audiences. */
  async create(userId: string, accountId: string, body: Static<typeof AudienceCreateBody>) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    sameAccount(body.ad_account_id, accountId);
    const name = checkedName(body.name);
    const rule = checkRule(body.audience_type, body.rule, accountId);
    const type = body.audience_type as BuiltType;
    return this.deps.db.transaction().execute(async (trx) => {
      const members = await audienceMembers(trx, account, type, rule, this.now());
      const id = await this.deps.ids.next('audience', trx);
      await repo.insert(trx, {
        id,
        ad_account_id: accountId,
        name,
        audience_type: type,
        description: body.description?.trim() || null,
        rule: JSON.stringify(rule),
      });
      await repo.setMembers(trx, id, members);
      return this.present((await repo.byId(trx, accountId, id))!, account);
    });
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/audiences/{audience_id}: UPDATE its fields, or REMOVE (archive) it. */
  async update(
    userId: string,
    accountId: string,
    audienceId: string,
    body: Static<typeof AudienceUpdateBody>,
  ) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    sameAccount(body.ad_account_id, accountId);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await repo.byId(trx, accountId, audienceId, true);
      if (!row) throw new NotFound('Audience not found.');
      if (row.status === 'ARCHIVED') throw new Invalid('This audience is archived; it cannot change.');
      if (body.operation_type === 'REMOVE') {
        await repo.update(trx, row.id, { status: 'ARCHIVED' });
        // The ad server stops finding anyone in it; ACTALIKEs it seeded keep their people.
        await repo.setMembers(trx, row.id, []);
        return this.present((await repo.byId(trx, accountId, audienceId))!, account);
      }
      const changes: { name?: string; description?: string | null; rule?: string } = {};
      if (body.name !== undefined) changes.name = checkedName(body.name);
      if (body.description !== undefined) changes.description = body.description.trim() || null;
      if (body.rule !== undefined) {
        const type = row.audience_type as BuiltType;
        const rule = checkRule(type, body.rule, accountId);
        await repo.setMembers(
          trx,
          row.id,
          await audienceMembers(trx, account, type, rule, this.now(), audienceId),
        );
        changes.rule = JSON.stringify(rule);
        await repo.update(trx, row.id, changes);
        await this.refreshDependents(trx, account, [String(row.id)]);
      } else await repo.update(trx, row.id, changes);
      return this.present((await repo.byId(trx, accountId, audienceId))!, account);
    });
  }

  /** GET /v5/ad_accounts/{ad_account_id}/audiences (RECEIVED is empty: audiences are never shared). */
  async list(userId: string, accountId: string, q: Static<typeof AudienceListQuery>) {
    const account = await this.deps.access.require(userId, accountId, 'read');
    if (q.ownership_type === 'RECEIVED') return { items: [], bookmark: null };
    const descending = q.order === 'DESCENDING';
    const scope = `audiences:${accountId}:${descending}`;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const pageSize = q.page_size ?? 25;
    const rows = await repo.list(this.deps.db, accountId, { descending, after, limit: pageSize + 1 });
    return this.deps.bookmarks.page(
      scope,
      rows,
      pageSize,
      (last) => [String(last.id)],
      (r) => this.present(r, account),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/audiences/{audience_id}. */
  async get(userId: string, accountId: string, audienceId: string) {
    const account = await this.deps.access.require(userId, accountId, 'read');
    const row = await repo.byId(this.deps.db, accountId, audienceId);
    if (!row) throw new NotFound('Audience not found.');
    return this.present(row, account);
  }

  /**
   * Recomputes audiences that follow activity (visitors, engagers, their lookalikes) last computed more
   * than `maxAgeMs` ago, each in its own transaction, at most `limit`; answers how many. Run periodically.
   */
  async refreshStale(maxAgeMs = REFRESH_AFTER_MS, limit = 50): Promise<number> {
    let done = 0;
    while (done < limit) {
      const refreshed = await this.deps.db.transaction().execute(async (trx) => {
        const a = await repo.stale(trx, new Date(this.now() - maxAgeMs));
        if (!a) return false;
        await this.recompute(trx, await this.accountOf(trx, String(a.ad_account_id)), {
          id: String(a.id),
          audience_type: a.audience_type,
          rule: a.rule,
        });
        return true;
      });
      if (!refreshed) break;
      done += 1;
    }
    return done;
  }

  /** Recomputes the audiences built on a customer list (and the ACTALIKEs they seed), in the caller's transaction. */
  async refreshForCustomerList(trx: Db, accountId: string, listId: string): Promise<void> {
    const account = await this.accountOf(trx, accountId);
    const built = await repo.dependents(trx, accountId, { customerList: listId });
    for (const a of built) await this.recompute(trx, account, a);
    await this.refreshDependents(
      trx,
      account,
      built.map((a) => String(a.id)),
    );
  }

  /** Recomputes the ACTALIKE audiences seeded by any of `seeds`, one level deep (an ACTALIKE seeding another is not followed). */
  private async refreshDependents(trx: Db, account: { id: string; owner_id: string }, seeds: string[]) {
    for (const a of await repo.dependents(trx, account.id, { seeds })) {
      // A seed that was archived leaves its ACTALIKEs as they were: rechecking their rule would refuse it.
      const statuses = await repo.statusesOf(trx, account.id, (a.rule as { seed_id: string[] }).seed_id);
      if ([...statuses.values()].includes('ARCHIVED')) continue;
      await this.recompute(trx, account, a);
    }
  }

  private async recompute(
    trx: Db,
    account: { id: string; owner_id: string },
    a: { id: string; audience_type: string; rule: unknown },
  ) {
    const members = await audienceMembers(
      trx,
      account,
      a.audience_type as BuiltType,
      a.rule as AudienceRule,
      this.now(),
      String(a.id),
    );
    await repo.setMembers(trx, String(a.id), members);
  }

  private async accountOf(trx: Db, accountId: string) {
    const row = await trx
      .selectFrom('ad_accounts')
      .select(['id', 'owner_id'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    return { id: String(row.id), owner_id: String(row.owner_id) };
  }
}

function checkedName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new Invalid('name: an audience needs a name.');
  return name;
}
