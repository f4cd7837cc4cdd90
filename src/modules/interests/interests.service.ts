import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import { NotFound } from '../../platform/errors.js';
import type { AccountsService } from '../accounts/index.js';
import { interestProfiles } from './interest-profiles.js';
import { INTERESTS, type InterestDef } from './taxonomy.js';

/** The most interests one person is shown to follow. */
const MAX_FOLLOWED = 50;

export interface InterestsDeps {
  readonly db: Db;
  readonly bookmarks: Bookmarks;
  readonly accounts: Pick<AccountsService, 'byUsername'>;
  /** Where an interest's page lives (PUBLIC_URL). */
  readonly publicUrl: string;
}

/**
 * The interests a person follows: the taxonomy's interests their public content is about (the words of
 * their public boards' names and descriptions and of their pins' titles there, stemmed as full-text search
 * stems them; see interestProfiles), most matched first. Only public boards count, as anyone may ask about anyone.
 */
export class InterestsService {
  constructor(private readonly deps: InterestsDeps) {}

  /** GET /v5/users/{username}/interests/follow. */
  async followed(username: string, pageSize: number, bookmark: string | undefined) {
    const user = await this.deps.accounts.byUsername(username);
    if (!user) throw new NotFound('User not found.');
    const scope = `interests:${user.id}`;
    const offset = bookmark ? Number(this.deps.bookmarks.decode(scope, bookmark)[0]) : 0;
    const ranked = await this.ranked(user.id);
    const rows = ranked
      .slice(offset, offset + pageSize + 1)
      .map((interest, i) => ({ interest, at: offset + i }));
    return this.deps.bookmarks.page(
      scope,
      rows,
      pageSize,
      (last) => [last.at + 1],
      ({ interest }) => this.view(interest),
    );
  }

  private view(interest: InterestDef) {
    const slug = interest.key.replace(/\s+/g, '-');
    return {
      id: interest.id,
      key: interest.key,
      name: interest.name,
      canonical_url: `${this.deps.publicUrl}/ideas/${slug}/${interest.id}/`,
    };
  }

  private async ranked(userId: string): Promise<InterestDef[]> {
    const profile = (await interestProfiles(this.deps.db, [userId])).get(userId) ?? new Map<string, number>();
    return INTERESTS.map((interest) => ({ interest, score: profile.get(interest.id) ?? 0 }))
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score || a.interest.id.localeCompare(b.interest.id))
      .slice(0, MAX_FOLLOWED)
      .map((s) => s.interest);
  }
}
