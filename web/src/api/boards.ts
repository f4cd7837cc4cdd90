import { useEffect, useState } from 'preact/hooks';
import { api, query } from './client.js';
import type { Board, FeedPin, Page, Pin } from './types.js';

/** A board as the boards pages read it (GET /v5/boards, /v5/boards/{id}). */
export interface BoardInfo extends Board {
  privacy: 'PUBLIC' | 'PROTECTED' | 'SECRET';
  pin_count: number;
  follower_count: number;
  media?: { image_cover_url: string | null; pin_thumbnail_urls: string[] };
}

export interface Section {
  id: string;
  name: string;
}

/** A person's profile (extension: GET /v5/users/{username}). */
export interface Profile {
  username: string;
  profile_image: string;
  about: string;
  board_count: number;
  pin_count: number;
  follower_count: number;
  following_count: number;
  is_following: boolean;
}

export interface Person {
  type: 'user';
  username: string;
  /** The list's items need an id for usePages. */
  id?: string;
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: body === undefined ? {} : { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const u = encodeURIComponent;

/** Reads every page of a list (for short lists: the picker's boards and a board's sections). */
export async function readAll<T>(path: string, limit = 1000): Promise<T[]> {
  const items: T[] = [];
  let bookmark: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await api<Page<T>>(`${path}${sep}${query({ page_size: 250, bookmark }).slice(1)}`);
    items.push(...page.items);
    bookmark = page.bookmark;
  } while (bookmark && items.length < limit);
  return items;
}

export const myBoardsPage = (bookmark: string | null) =>
  api<Page<BoardInfo>>(`/v5/boards${query({ page_size: 50, bookmark })}`);
export const allMyBoards = () => readAll<BoardInfo>('/v5/boards');
export const getBoard = (id: string) => api<BoardInfo>(`/v5/boards/${id}`);
export const createBoard = (b: { name: string; description?: string; privacy: 'PUBLIC' | 'SECRET' }) =>
  api<BoardInfo>('/v5/boards', json('POST', b));
export const updateBoard = (
  id: string,
  patch: { name?: string; description?: string | null; privacy?: 'PUBLIC' | 'SECRET'; position?: number },
) => api<BoardInfo>(`/v5/boards/${id}`, json('PATCH', patch));
export const deleteBoard = (id: string) => api<void>(`/v5/boards/${id}`, json('DELETE')).catch(noBody);

export const sectionsOf = (boardId: string) => readAll<Section>(`/v5/boards/${boardId}/sections`);
export const createSection = (boardId: string, name: string) =>
  api<Section>(`/v5/boards/${boardId}/sections`, json('POST', { name }));
export const renameSection = (boardId: string, id: string, name: string) =>
  api<Section>(`/v5/boards/${boardId}/sections/${id}`, json('PATCH', { name }));
export const deleteSection = (boardId: string, id: string) =>
  api<void>(`/v5/boards/${boardId}/sections/${id}`, json('DELETE')).catch(noBody);

export const boardPinsPage = (boardId: string, sectionId: string | null, bookmark: string | null) =>
  api<Page<FeedPin>>(
    `/v5/boards/${boardId}${sectionId ? `/sections/${sectionId}` : ''}/pins${query({ page_size: 50, bookmark })}`,
  );

/** Saves a pin to one of my boards (or a section of it): the new pin. */
export const savePin = (pinId: string, boardId: string, sectionId: string | null) =>
  api<Pin>(`/v5/pins/${pinId}/save`, json('POST', { board_id: boardId, board_section_id: sectionId }));

export const getProfile = (username: string) => api<Profile>(`/v5/users/${u(username)}`);
export const boardsOfPage = (username: string, bookmark: string | null) =>
  api<Page<BoardInfo>>(`/v5/users/${u(username)}/boards${query({ page_size: 50, bookmark })}`);
export const peoplePage = (username: string, list: 'followers' | 'following', bookmark: string | null) =>
  api<Page<Person>>(`/v5/users/${u(username)}/${list}${query({ page_size: 50, bookmark })}`).then((p) => ({
    ...p,
    items: p.items.map((i) => ({ ...i, id: i.username })),
  }));
export const follow = (username: string) =>
  api<unknown>(`/v5/user_account/following/${u(username)}`, json('POST', {}));
export const unfollow = (username: string) =>
  api<void>(`/v5/user_account/following/${u(username)}`, json('DELETE')).catch(noBody);
export const followsBoard = (boardId: string) =>
  api<{ following: boolean }>(`/v5/user_account/following/boards/${boardId}`);
export const followBoard = (boardId: string) =>
  api<unknown>(`/v5/user_account/following/boards/${boardId}`, json('POST'));
export const unfollowBoard = (boardId: string) =>
  api<void>(`/v5/user_account/following/boards/${boardId}`, json('DELETE')).catch(noBody);

/** A 204 has no JSON to parse: the client's parse error after a success is no error. */
function noBody(err: unknown): void {
  if (err instanceof SyntaxError) return;
  throw err;
}

let me: Promise<string> | undefined;

/** My username (GET /v5/user_account), asked once per page load. */
export function myUsername(): Promise<string> {
  me ??= api<{ username: string }>('/v5/user_account').then(
    (a) => a.username,
    (err: unknown) => {
      me = undefined;
      throw err;
    },
  );
  return me;
}

/** My username once known (undefined until then, or when it could not be read). */
export function useMe(enabled = true): string | undefined {
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    myUsername().then(
      (n) => live && setName(n),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [enabled]);
  return name;
}

/** Moves item `from` to `to` in a copy of `list` (the board order's local step). */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}
