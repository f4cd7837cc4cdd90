import { sql } from 'kysely';
import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import { NotFound } from '../../platform/errors.js';
import type { AccountsService } from '../accounts/index.js';
import { discoverableBoard } from '../boards/index.js';
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
 * stems them), most matched first. Only public boards count, as anyone may ask about anyone.
 */
export class InterestsService {
  private stems: Promise<Map<string, string[]>> | undefined;

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
    const { rows } = await sql<{ w: string; n: number }>`
      select w, count(*)::int as n from (
        select unnest(tsvector_to_array(to_tsvector('english', b.name || ' ' || coalesce(b.description, '')))) as w
          from boards b where b.owner_id = ${userId} and ${discoverableBoard('b')}
        union all
        select unnest(tsvector_to_array(to_tsvector('english', coalesce(p.title, ''))))
          from (select p.title from pins p join boards b on b.id = p.board_id
                 where p.owner_id = ${userId} and ${discoverableBoard('b')}
                 order by p.id desc limit 200) p
      ) t group by w`.execute(this.deps.db);
    const counts = new Map(rows.map((r) => [r.w, r.n]));
    const stems = await this.taxonomyStems();
    return INTERESTS.map((interest) => ({
      interest,
      score: (stems.get(interest.id) ?? []).reduce((sum, stem) => sum + (counts.get(stem) ?? 0), 0),
    }))
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score || a.interest.id.localeCompare(b.interest.id))
      .slice(0, MAX_FOLLOWED)
      .map((s) => s.interest);
  }

  /** Each interest's words as the database stems them (asked once). */
  private taxonomyStems(): Promise<Map<string, string[]>> {
    this.stems ??= (async () => {
      const out = new Map<string, string[]>();
      for (const interest of INTERESTS) {
        const { rows } = await sql<{ stems: string[] }>`
          select tsvector_to_array(to_tsvector('english', ${interest.words.join(' ')})) as stems`.execute(
          this.deps.db,
        );
        out.set(interest.id, rows[0]?.stems ?? []);
      }
      return out;
    })().catch((err: unknown) => {
      this.stems = undefined;
      throw err;
    });
    return this.stems;
  }
}
