import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Privacy } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/principal.js';

/*
 * Who may see a board and the pins on it. The one rule, written here once, in TypeScript and as query
 * helpers, for every surface:
 *
 * 1. Reading: anyone may read a PUBLIC or PROTECTED board and its pins, directly (GET by id) or in a list
 *    of someone's content. A SECRET board exists only for its owner, and only while the owner's token
 *    holds `<kind>:read_secret` (boards:read_secret for the board, pins:read_secret for its pins).
 * 2. Own lists (the viewer's own boards, pins, counts, search, analytics) follow from 1: the owner's
 *    PUBLIC and PROTECTED content, and the SECRET content only with the scope.
 * 3. Discovery (partner and global search, typeahead, related terms and pins, home feed, trends,
 *    popularity signals) shows PUBLIC boards and their pins only, to everyone, their owner included. As
 *    on Pinterest, a PROTECTED board is seen by its owner and collaborators, like a SECRET one, so its
 *    pins and name stay out of everyone's discovery.
 *
 * A new surface applies it with one of the helpers below: `.$call(discoverable('b'))` on a discovery
 * query, `.$call(visibleBoards(viewer, 'pins', 'b'))` where a viewer reads someone's content,
 * `.$call(ownedBy(viewer.userId, 'b.owner_id', { secret }, 'b'))` for own lists, or, in hand-written SQL,
 * the fragments `discoverableBoard`, `openBoard` and `listedBoard`. Nothing else spells out a privacy.
 */

/** What a scope is about: the board itself, or the pins on it. */
export type VisibilityKind = 'boards' | 'pins';

// ---------------------------------------------------------------------------------------------------
// The rule in TypeScript.

/** Whether discovery surfaces show a board (and its pins): PUBLIC ones only (rule 3). */
export function isDiscoverable(privacy: string): boolean {
  return privacy === 'PUBLIC';
}

/** Whether a board (and its pins) exists only for its owner holding the secret scope (rule 1). */
export function isSecret(privacy: string): boolean {
  return privacy === 'SECRET';
}

/** The scope that reads (or writes) secret content of this kind. */
export function secretScope(kind: VisibilityKind, action: 'read' | 'write' = 'read'): string {
  return `${kind}:${action}_secret`;
}

/** Whether the viewer's token reads secret content of this kind (their own, the only secret they see). */
export function readsSecret(viewer: Principal, kind: VisibilityKind): boolean {
  return viewer.scopes.has(secretScope(kind));
}

/**
 * Whether `viewer` may read a board of `owner_id` with this privacy (kind 'boards') or a pin on it (kind
 * 'pins'): anything not secret; a secret one only as its owner holding `<kind>:read_secret`.
 */
export function mayRead(
  viewer: Principal,
  owner_id: string,
  privacy: Privacy,
  kind: VisibilityKind,
): boolean {
  return !isSecret(privacy) || (owner_id === viewer.userId && readsSecret(viewer, kind));
}

/** The privacies the viewer's own lists of this kind show (rule 2). */
export function ownListPrivacies(viewer: Principal, kind: VisibilityKind): Privacy[] {
  return readsSecret(viewer, kind) ? ['PUBLIC', 'PROTECTED', 'SECRET'] : ['PUBLIC', 'PROTECTED'];
}

// ---------------------------------------------------------------------------------------------------
// The rule in hand-written SQL, over the `privacy` (and `owner_id`) columns of the boards row aliased
// `alias`. The query helpers below apply the same fragments, so both spell it the same way; each is a
// plain comparison of the column, which the planner uses as it would an inline condition.

/** isDiscoverable as SQL. */
export function discoverableBoard(alias: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.privacy`)} = 'PUBLIC')`;
}

/** A board anyone may read: not secret (rule 1 for every viewer but the secret board's owner). */
export function openBoard(alias: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.privacy`)} <> 'SECRET')`;
}

/**
 * A board of the owner's own list (rule 2), where `secret` says whether the list may show secret ones
 * (readsSecret of the owner's token): no condition at all then, else openBoard.
 */
export function listedBoard(alias: string, how: { secret: boolean }): RawBuilder<boolean> {
  return how.secret ? sql<boolean>`true` : openBoard(alias);
}

// ---------------------------------------------------------------------------------------------------
// The rule as query helpers, applied with `.$call(...)` on a select query that has the boards row
// aliased `alias` in scope (a query without it does not compile).

type InScope<A extends string, TB> = A extends TB ? unknown : { error: `the query has no table ${A}` };

type WhereHelper<A extends string> = <DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O> & InScope<A, TB>,
) => SelectQueryBuilder<DB, TB, O>;

/** Keeps rows whose board discovery shows (rule 3). */
export function discoverable<A extends string>(alias: A): WhereHelper<A> {
  return (qb) => qb.where(discoverableBoard(alias));
}

/**
 * Keeps rows whose board the viewer may read (rule 1, mayRead as SQL): open boards, and their own
 * secret ones when their token holds `<kind>:read_secret`.
 */
export function visibleBoards<A extends string>(
  viewer: Principal,
  kind: VisibilityKind,
  alias: A,
): WhereHelper<A> {
  return (qb) =>
    qb.where((eb) => {
      if (!readsSecret(viewer, kind)) return openBoard(alias);
      return eb.or([openBoard(alias), eb(sql.ref(`${alias}.owner_id`), '=', viewer.userId)]);
    });
}

/**
 * Keeps the rows of one owner's own list (rule 2): `ownerColumn` (e.g. 'p.owner_id' or 'b.owner_id')
 * is the owner's id, and their secret boards are kept only when `secret` (readsSecret of their token).
 */
export function ownedBy<A extends string>(
  ownerId: string,
  ownerColumn: `${string}.owner_id`,
  how: { secret: boolean },
  alias: A,
): WhereHelper<A> {
  return (qb) => {
    const own = qb.where(sql.ref(ownerColumn), '=', ownerId);
    return how.secret ? own : own.where(openBoard(alias));
  };
}

/**
 * Keeps rows whose board has one of these privacies: the v5 `privacy` filter of a list, already
 * narrowed to what the viewer may list (ownListPrivacies).
 */
export function privacyIn<A extends string>(alias: A, privacies: readonly Privacy[]): WhereHelper<A> {
  return (qb) => qb.where(sql.ref(`${alias}.privacy`), 'in', [...privacies]);
}

/**
 * A cache key every writer invalidates, after its commit, when content may have left discovery (a board
 * made private, renamed or deleted; a pin deleted, moved or retitled). Readers that keep derived copies
 * of public content in memory (the typeahead's term index) hold on to what they checked only while the
 * key's value stays the same, so a change reaches them as fast as the cache reaches every node.
 */
export const DISCOVERY_EPOCH_KEY = 'discovery:epoch';
