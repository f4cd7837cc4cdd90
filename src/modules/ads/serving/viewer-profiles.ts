import type { Cache } from '../../../platform/cache/cache.js';
import type { Db } from '../../../platform/db/database.js';
import { ageBucket } from '../../accounts/index.js';
import { interestProfiles } from '../../interests/index.js';
import type { ViewerProfile } from './eligibility.js';

/** How long what the ad server knows of a viewer is reused (interests and audiences move slowly). */
export const PROFILE_TTL_MS = 10 * 60_000;

/** What is cached of a viewer: JSON-friendly, the sets as lists. */
interface StoredProfile {
  interests: string[];
  locale: string | null;
  country: string | null;
  gender: string | null;
  birthYear: number | null;
  audiences: string[];
}

const SIGNED_OUT: StoredProfile = {
  interests: [],
  locale: null,
  country: null,
  gender: null,
  birthYear: null,
  audiences: [],
};

/**
 * What the ad server knows of a viewer: the interests of their public boards and pins (interestProfiles,
 * which counts PUBLIC boards only), the demographics they gave, and the audiences they are in. Read
 * through the shared cache for PROFILE_TTL_MS, so a request costs one cache read. Nothing of it leaves
 * the server: advertisers see aggregates above a minimum count only.
 */
export class ViewerProfiles {
  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly now: () => number = Date.now,
  ) {}

  /** The viewer's profile on this request (`appType` in targeting terms: web, iphone, ...). */
  async of(userId: string | null, appType: string | null): Promise<ViewerProfile> {
    const stored = userId
      ? await this.cache.getOrLoad(`ads:viewer:${userId}`, PROFILE_TTL_MS, () => this.load(userId))
      : SIGNED_OUT;
    return this.profileOf(stored, userId, appType);
  }

  /**
   * The profile `of` would answer, when this node holds the viewer's record and can vouch for it without
   * a round trip (Cache.peek); undefined: ask `of`.
   */
  held(userId: string | null, appType: string | null): ViewerProfile | undefined {
    const stored = userId ? this.cache.peek<StoredProfile>(`ads:viewer:${userId}`) : SIGNED_OUT;
    return stored ? this.profileOf(stored, userId, appType) : undefined;
  }

  private profileOf(stored: StoredProfile, userId: string | null, appType: string | null): ViewerProfile {
    // The cached record is the same object until it is reloaded: its profile is built once a day.
    const day = Math.floor(this.now() / 86_400_000);
    const built = this.built.get(stored);
    if (built && built.day === day && built.profile.appType === appType && built.profile.userId === userId)
      return built.profile;
    const profile: ViewerProfile = {
      userId,
      interests: new Set(stored.interests),
      locale: stored.locale,
      country: stored.country,
      gender: stored.gender,
      ageBucket: ageBucket(stored.birthYear, new Date(this.now())),
      appType,
      audiences: new Set(stored.audiences),
    };
    this.built.set(stored, { day, profile });
    return profile;
  }

  /** Profiles built from cached records (read-only to their users). */
  private readonly built = new WeakMap<StoredProfile, { day: number; profile: ViewerProfile }>();

  private async load(userId: string): Promise<StoredProfile> {
    const [profiles, person, audiences] = await Promise.all([
      interestProfiles(this.db, [userId]),
      this.db
        .selectFrom('users')
        .select(['locale', 'country', 'gender', 'birth_year'])
        .where('id', '=', userId)
        .executeTakeFirst(),
      this.db
        .selectFrom('ad_audience_users as m')
        .innerJoin('ad_audiences as a', 'a.id', 'm.audience_id')
        .select('m.audience_id')
        .where('m.user_id', '=', userId)
        .where('a.status', '<>', 'ARCHIVED')
        .execute(),
    ]);
    if (!person) return SIGNED_OUT;
    return {
      interests: [...(profiles.get(userId)?.keys() ?? [])].sort(),
      locale: person.locale,
      country: person.country,
      gender: person.gender,
      birthYear: person.birth_year,
      audiences: audiences.map((a) => String(a.audience_id)).sort(),
    };
  }
}
