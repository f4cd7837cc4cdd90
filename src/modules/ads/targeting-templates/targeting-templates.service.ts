import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AdAccess } from '../ad-access.js';
import { shownSize, sizeBounds } from '../audiences/audience-privacy.js';
import { checkSpecAudiences, countTargeted } from '../audiences/audience-sizing.js';
import { checkTrackingUrls, secondsOf } from '../entity-rules.js';
import { type TargetingSpec, validateTargetingSpec } from '../targeting/index.js';
import { targetingInput } from './targeting-input.js';
import { targetingTemplatesRepository as repo, type TemplateRow } from './targeting-templates.repository.js';
import type {
  TargetingTemplateCreateBody,
  TargetingTemplateKeyword,
  TargetingTemplateListQuery,
  TargetingTemplateUpdateBody,
} from './targeting-templates.schemas.js';

export interface TargetingTemplatesDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
}

type Keyword = Static<typeof TargetingTemplateKeyword>;

/** Targeting templates: a named, checked targeting spec with keywords and placements that ad groups reuse. */
export class TargetingTemplatesService {
  constructor(private readonly deps: TargetingTemplatesDeps) {}

  private async present(db: Db, row: TemplateRow, sizing = false) {
    const spec = row.targeting_attributes as TargetingSpec;
    const audiences = [...(spec.AUDIENCE_INCLUDE ?? []), ...(spec.AUDIENCE_EXCLUDE ?? [])];
    const valid = await checkSpecAudiences(db, String(row.ad_account_id), audiences, false);
    return {
      id: String(row.id),
      ad_account_id: String(row.ad_account_id),
      name: row.name,
      status: row.status as 'ACTIVE' | 'DELETED',
      targeting_attributes: spec as Record<string, unknown>,
      keywords: row.keywords as Keyword[],
      placement_group: row.placement_group,
      auto_targeting_enabled: row.auto_targeting_enabled,
      tracking_urls: (row.tracking_urls as Record<string, string[]> | null) ?? null,
      created_time: secondsOf(row.created_at)!,
      updated_time: secondsOf(row.updated_at)!,
      valid,
      ...(sizing ? { sizing: valid ? await this.sizing(db, spec) : null } : {}),
    };
  }

  /** A reach estimate under the privacy minimum: bounds only below it, else the rounded size in its step. */
  private async sizing(db: Db, spec: TargetingSpec) {
    const count = await countTargeted(db, spec);
    const { lower, upper } = sizeBounds(count);
    const estimate = shownSize(count);
    return {
      reach_estimate: { ...(estimate === null ? {} : { estimate }), lower_bound: lower, upper_bound: upper },
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/targeting_templates. */
  async create(userId: string, accountId: string, body: Static<typeof TargetingTemplateCreateBody>) {
    await this.deps.access.require(userId, accountId, 'manage');
    const name = body.name.trim();
    if (!name) throw new Invalid('name: a targeting template needs a name.');
    if (body.placement_group === 'OTHER')
      throw new Invalid('placement_group OTHER is not offered: Corkboard places ads in BROWSE and SEARCH.');
    const keywords = checkedKeywords(body.keywords ?? []);
    const tracking = checkTrackingUrls(body.tracking_urls);
    return this.deps.db.transaction().execute(async (trx) => {
      const spec = await this.checkedSpec(trx, accountId, body.targeting_attributes);
      const id = await this.deps.ids.next('targetingTemplate', trx);
      await repo.insert(trx, {
        id,
        ad_account_id: accountId,
        name,
        targeting_attributes: JSON.stringify(spec),
        keywords: JSON.stringify(keywords),
        placement_group: body.placement_group ?? 'ALL',
        auto_targeting_enabled: body.auto_targeting_enabled ?? true,
        tracking_urls: tracking ? JSON.stringify(tracking) : null,
      });
      return this.present(trx, (await repo.byId(trx, accountId, id))!);
    });
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/targeting_templates: UPDATE its targeting, or REMOVE it. */
  async update(userId: string, accountId: string, body: Static<typeof TargetingTemplateUpdateBody>) {
    await this.deps.access.require(userId, accountId, 'manage');
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await repo.byId(trx, accountId, body.id, true);
      if (!row || row.status === 'DELETED') throw new NotFound('Targeting template not found.');
      if (body.operation_type === 'REMOVE') {
        // Targeting sent along (as Pinterest's own example does) is moot: the template is deleted.
        await repo.update(trx, row.id, { status: 'DELETED' });
      } else {
        if (body.targeting_attributes === undefined)
          throw new Invalid('targeting_attributes: UPDATE needs the new targeting.');
        const spec = await this.checkedSpec(trx, accountId, body.targeting_attributes);
        await repo.update(trx, row.id, { targeting_attributes: JSON.stringify(spec) });
      }
      return this.present(trx, (await repo.byId(trx, accountId, body.id))!);
    });
  }

  /** GET /v5/ad_accounts/{ad_account_id}/targeting_templates (live templates only). */
  async list(userId: string, accountId: string, q: Static<typeof TargetingTemplateListQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    const descending = q.order === 'DESCENDING';
    const search = q.search_query?.trim() || undefined;
    const scope = `targeting_templates:${accountId}:${descending}:${search ?? ''}`;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const pageSize = q.page_size ?? 25;
    const rows = await repo.list(this.deps.db, accountId, { descending, after, limit: pageSize + 1, search });
    const page = this.deps.bookmarks.page(scope, rows, pageSize, (last) => [String(last.id)]);
    const items = [];
    for (const row of page.items)
      items.push(await this.present(this.deps.db, row, q.include_sizing ?? false));
    return { items, bookmark: page.bookmark };
  }

  private async checkedSpec(db: Db, accountId: string, input: unknown): Promise<TargetingSpec> {
    const { spec, audienceIds } = validateTargetingSpec(targetingInput(input));
    await checkSpecAudiences(db, accountId, audienceIds);
    return spec;
  }
}

/** Keywords trimmed and de-duplicated (by value and match type); an empty one is refused. */
function checkedKeywords(keywords: readonly Keyword[]): Keyword[] {
  const seen = new Set<string>();
  const out: Keyword[] = [];
  for (const [i, k] of keywords.entries()) {
    const value = k.value.trim();
    if (!value) throw new Invalid(`keywords[${i}].value: a keyword needs text.`);
    const key = `${k.match_type}\u0000${value.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ match_type: k.match_type, value });
  }
  return out;
}
