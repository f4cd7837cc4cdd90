import { type Static, Type } from 'typebox';
import type { Db } from '../../../platform/db/database.js';
import { Invalid } from '../../../platform/errors.js';
import { interestProfiles } from '../../interests/index.js';
import type { AdAccess } from '../ad-access.js';
import { literals, Nullable } from '../ads.schemas.js';
import { type TargetingSpec, TargetingSpecBody, validateTargetingSpec } from '../targeting/index.js';
import { targetingInput } from '../targeting-templates/targeting-input.js';
import { sizeBounds } from './audience-privacy.js';
import { audiencesRepository as repo } from './audiences.repository.js';

/** The targeting types a sizing narrows by; the others are not known of people. */
export const SIZED_BY = ['INTEREST', 'AUDIENCE_INCLUDE', 'AUDIENCE_EXCLUDE'] as const;

export const AudienceSizingBody = Type.Object({
  targeting_spec: Type.Optional(TargetingSpecBody),
  auto_targeting_enabled: Type.Optional(Type.Boolean()),
  placement_group: Type.Optional(literals(['ALL', 'SEARCH', 'BROWSE', 'OTHER'])),
  creative_types: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }))),
  keywords: Type.Optional(
    Nullable(
      Type.Array(
        Type.Object({
          match_type: Nullable(literals(['BROAD', 'PHRASE', 'EXACT', 'EXACT_NEGATIVE', 'PHRASE_NEGATIVE'])),
          value: Type.String({ maxLength: 120 }),
        }),
        { maxItems: 2000 },
      ),
    ),
  ),
  product_group_ids: Type.Optional(
    Nullable(Type.Array(Type.String({ pattern: '^\\d{1,19}$' }), { maxItems: 100 })),
  ),
});

export const AudienceSizing = Type.Object({
  audience_size_lower_bound: Type.Integer(),
  audience_size_upper_bound: Type.Integer(),
});

/**
 * Checks that the audiences a spec names are live audiences of the account; answers whether they are
 * (with `refuse` false, for a stored template whose audience was archived since) or throws Invalid.
 */
export async function checkSpecAudiences(db: Db, accountId: string, ids: readonly string[], refuse = true) {
  const statuses = await repo.statusesOf(db, accountId, ids);
  for (const id of ids) {
    const status = statuses.get(id);
    const why =
      status === undefined
        ? 'is not an audience of this account'
        : status === 'ARCHIVED'
          ? 'is archived'
          : '';
    if (!why) continue;
    if (!refuse) return false;
    throw new Invalid(`targeting_spec: audience ${id} ${why}.`);
  }
  return true;
}

/**
 * How many of Corkboard's people a checked spec reaches: those in an included audience (if any is
 * named), in no excluded one, and with one of the interests (if any is named; interests are read from
 * people's public content). Gender, age, locale and location are not known of people, so they do not
 * narrow the count, nor do devices, strategies and retargeting.
 */
export async function countTargeted(db: Db, spec: TargetingSpec): Promise<number> {
  const include = spec.AUDIENCE_INCLUDE?.length
    ? new Set(await repo.membersOf(db, spec.AUDIENCE_INCLUDE))
    : null;
  const exclude = new Set(
    spec.AUDIENCE_EXCLUDE?.length ? await repo.membersOf(db, spec.AUDIENCE_EXCLUDE) : [],
  );
  let candidates: Iterable<string>;
  if (spec.INTEREST?.length) {
    const wanted = new Set(spec.INTEREST);
    const people: string[] = [];
    for (const [id, profile] of await interestProfiles(db)) {
      if ([...profile.keys()].some((i) => wanted.has(i))) people.push(id);
    }
    candidates = people;
  } else if (include) {
    candidates = include;
  } else {
    const { n } = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    // Everyone but the excluded: the excluded are all people, so the difference is exact.
    return Number(n) - exclude.size;
  }
  let count = 0;
  for (const id of candidates) if ((!include || include.has(id)) && !exclude.has(id)) count += 1;
  return count;
}

/** POST /v5/ad_accounts/{ad_account_id}/ad_groups/audience_sizing: an estimate under the privacy minimum. */
export class AudienceSizingService {
  constructor(private readonly deps: { readonly db: Db; readonly access: AdAccess }) {}

  /** The bounds of how many people a spec reaches: [0, minimum) below the minimum, else a rounded step. */
  async size(userId: string, accountId: string, body: Static<typeof AudienceSizingBody>) {
    await this.deps.access.require(userId, accountId, 'read');
    if (body.product_group_ids?.length)
      throw new Invalid('product_group_ids: product catalogs are not offered.');
    const { spec, audienceIds } = validateTargetingSpec(targetingInput(body.targeting_spec ?? {}));
    await checkSpecAudiences(this.deps.db, accountId, audienceIds);
    const { lower, upper } = sizeBounds(await countTargeted(this.deps.db, spec));
    return { audience_size_lower_bound: lower, audience_size_upper_bound: upper };
  }
}
