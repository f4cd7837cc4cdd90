import { type RawBuilder, sql } from 'kysely';

/**
 * Which boards discovery surfaces show (partner and global search, typeahead, related terms and pins,
 * home feed, trends): PUBLIC ones only. As on Pinterest, a PROTECTED board is seen by its owner and
 * collaborators, like a SECRET one, so its pins and name stay out of everyone's discovery; the owner
 * still lists them through their own board and pin lists. One rule, written here once, in TypeScript
 * and in SQL, for every surface.
 */
export function isDiscoverable(privacy: string): boolean {
  return privacy === 'PUBLIC';
}

/** isDiscoverable as SQL over the `privacy` column of the boards row aliased `alias`. */
export function discoverableBoard(alias: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.privacy`)} = 'PUBLIC')`;
}

/**
 * A cache key every writer invalidates, after its commit, when content may have left discovery (a board
 * made private, renamed or deleted; a pin deleted, moved or retitled). Readers that keep derived copies
 * of public content in memory (the typeahead's term index) hold on to what they checked only while the
 * key's value stays the same, so a change reaches them as fast as the cache reaches every node.
 */
export const DISCOVERY_EPOCH_KEY = 'discovery:epoch';
