import { Type } from 'typebox';
import { Page, PageQuery } from '../../http/pagination.js';
import { Board } from '../boards/index.js';
import { Pin } from '../pins/index.js';
import { MAX_QUERY_LENGTH } from './search-text.js';

const AdAccountId = Type.Optional(
  Type.String({
    pattern: '^\\d+$',
    maxLength: 18,
    description: 'Accepted for compatibility; without Business Access the token user is searched.',
  }),
);
const Query = Type.String({
  minLength: 1,
  maxLength: MAX_QUERY_LENGTH,
  description:
    'Words to find (web search syntax: "quoted phrases", or, -excluded). English stemming; stop words ignored.',
});

export const SearchPinsQuery = Type.Intersect([
  // page_size is not among the spec's parameters of this operation; we accept it like every other list.
  PageQuery,
  Type.Object({ query: Query, ad_account_id: AdAccountId }),
]);

export const SearchBoardsQuery = Type.Intersect([
  PageQuery,
  // Optional in the spec: without it, every board of the user, newest first.
  Type.Object({ query: Type.Optional(Query), ad_account_id: AdAccountId }),
]);

export const PinSearchPage = Page(Pin);
export const BoardSearchPage = Page(Board);
