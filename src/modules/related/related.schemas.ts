import { Type } from 'typebox';
import { Id } from '../../http/id.js';
import { Page } from '../../http/pagination.js';
import { Pin } from '../pins/index.js';

/** Largest page of related pins. */
export const RELATED_MAX_PAGE_SIZE = 50;

export const RelatedParams = Type.Object({ pin_id: Id });

export const RelatedQuery = Type.Object({
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: RELATED_MAX_PAGE_SIZE,
      default: 25,
      description: `Maximum number of items to include in a single page. Default 25, max ${RELATED_MAX_PAGE_SIZE}.`,
    }),
  ),
  bookmark: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2048, description: 'Cursor from a previous page.' }),
  ),
});

export const RelatedPage = Page(Pin);
