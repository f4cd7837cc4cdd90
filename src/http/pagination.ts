import { type Static, Type } from 'typebox';
import { DEFAULT_PAGE_SIZE } from '../platform/bookmarks.js';

export const MAX_PAGE_SIZE = 250;

/** Query parameters of every bookmark-paginated list, as the Pinterest spec defines them. */
export const PageQuery = Type.Object({
  bookmark: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2048, description: 'Cursor from a previous page.' }),
  ),
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `Maximum number of items to include in a single page. Default ${DEFAULT_PAGE_SIZE}, max ${MAX_PAGE_SIZE}.`,
    }),
  ),
});
export type PageQuery = Static<typeof PageQuery>;

/** A page as every list endpoint returns it. */
export const Page = <T extends import('typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), bookmark: Type.Union([Type.String(), Type.Null()]) });
