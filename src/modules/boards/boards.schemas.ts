import { Type } from 'typebox';
import { Id } from '../../http/id.js';
import { Page, PageQuery } from '../../http/pagination.js';

export const Privacy = Type.Union([
  Type.Literal('PUBLIC'),
  Type.Literal('PROTECTED'),
  Type.Literal('SECRET'),
]);

export const BoardParams = Type.Object({ board_id: Id });
export const SectionParams = Type.Object({ board_id: Id, section_id: Id });

/** The spec's Board, with every read-only field we fill. */
export const Board = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  privacy: Privacy,
  is_ads_only: Type.Boolean(),
  owner: Type.Object({ username: Type.String() }),
  created_at: Type.String({ format: 'date-time' }),
  board_pins_modified_at: Type.String({ format: 'date-time' }),
  collaborator_count: Type.Integer({ minimum: 0 }),
  follower_count: Type.Integer({ minimum: 0 }),
  pin_count: Type.Integer({ minimum: 0 }),
  media: Type.Object({
    image_cover_url: Type.Union([Type.String(), Type.Null()]),
    pin_thumbnail_urls: Type.Array(Type.String()),
  }),
});

export const BoardCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 180 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  privacy: Type.Optional(Privacy),
  is_ads_only: Type.Optional(Type.Boolean()),
});

export const BoardUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 180 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  privacy: Type.Optional(Type.Union([Type.Literal('PUBLIC'), Type.Literal('SECRET')])),
  position: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 100000,
      description:
        "Extension: not in Pinterest API v5. Moves the board to this 0-based place in its owner's board list (GET /v5/boards, GET /v5/users/{username}/boards); past the end puts it last. Boards never moved are listed first, newest first.",
    }),
  ),
});

export const BoardListQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    ad_account_id: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 18 })),
    privacy: Type.Optional(
      Type.Union([
        Type.Literal('ALL'),
        Type.Literal('PUBLIC'),
        Type.Literal('PROTECTED'),
        Type.Literal('SECRET'),
        Type.Literal('PUBLIC_AND_SECRET'),
      ]),
    ),
  }),
]);

export const BoardPage = Page(Board);

export const Section = Type.Object({ id: Type.String(), name: Type.String() });
export const SectionBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 180 }) });
export const SectionPage = Page(Section);
