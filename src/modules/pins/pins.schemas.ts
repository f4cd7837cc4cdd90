import { Type } from 'typebox';
import { Id } from '../../http/id.js';
import { Page, PageQuery } from '../../http/pagination.js';

const NullableId = Type.Union([Id, Type.Null()]);
const Text = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);
const ContentType = Type.Union([Type.Literal('image/jpeg'), Type.Literal('image/png')]);
const Base64 = Type.String({ pattern: '^[a-zA-Z0-9+/=\\s]+$', minLength: 4 });

export const PinParams = Type.Object({ pin_id: Id });
export const BoardPinsParams = Type.Object({ board_id: Id });
export const SectionPinsParams = Type.Object({ board_id: Id, section_id: Id });

const ImageUrlItem = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  title: Type.Optional(Type.String({ maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 800 })),
  link: Type.Optional(Type.String({ maxLength: 2048 })),
});
const ImageBase64Item = Type.Object({
  content_type: ContentType,
  data: Base64,
  title: Type.Optional(Type.String({ maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 800 })),
  link: Type.Optional(Type.String({ maxLength: 2048 })),
});

/** The spec's PinMediaSource, one shape per `source_type`. */
export const MediaSource = Type.Union([
  Type.Object({
    source_type: Type.Literal('image_url'),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    is_standard: Type.Optional(Type.Boolean()),
  }),
  Type.Object({
    source_type: Type.Literal('image_base64'),
    content_type: ContentType,
    data: Base64,
    is_standard: Type.Optional(Type.Boolean()),
  }),
  Type.Object({
    source_type: Type.Literal('multiple_image_urls'),
    items: Type.Array(ImageUrlItem, { minItems: 2, maxItems: 5 }),
    index: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  Type.Object({
    source_type: Type.Literal('multiple_image_base64'),
    items: Type.Array(ImageBase64Item, { minItems: 2, maxItems: 5 }),
    index: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  Type.Object({ source_type: Type.Literal('pin_url'), is_affiliate_link: Type.Optional(Type.Boolean()) }),
  Type.Object({
    source_type: Type.Literal('video_id'),
    media_id: Id,
    cover_image_url: Type.Optional(Type.String()),
    cover_image_content_type: Type.Optional(ContentType),
    cover_image_data: Type.Optional(Type.String()),
    cover_image_key_frame_time: Type.Optional(Type.Integer({ minimum: 0 })),
    is_standard: Type.Optional(Type.Boolean()),
  }),
]);

export const PinCreate = Type.Object({
  board_id: Id,
  board_section_id: Type.Optional(NullableId),
  title: Type.Optional(Text(100)),
  description: Type.Optional(Text(800)),
  link: Type.Optional(Text(2048)),
  alt_text: Type.Optional(Text(500)),
  dominant_color: Type.Optional(Type.Union([Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' }), Type.Null()])),
  parent_pin_id: Type.Optional(NullableId),
  media_source: MediaSource,
});

export const PinUpdate = Type.Object({
  board_id: Type.Optional(Id),
  board_section_id: Type.Optional(NullableId),
  title: Type.Optional(Text(100)),
  description: Type.Optional(Text(800)),
  link: Type.Optional(Text(2048)),
  alt_text: Type.Optional(Text(500)),
});

export const PinSave = Type.Object({
  board_id: Type.Optional(NullableId),
  board_section_id: Type.Optional(NullableId),
});

const ImageDetails = Type.Object({ url: Type.String(), width: Type.Integer(), height: Type.Integer() });
const Images = Type.Record(Type.String(), ImageDetails);

/** The spec's Pin, with the media shapes we produce. */
export const Pin = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  link: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  alt_text: Type.Union([Type.String(), Type.Null()]),
  dominant_color: Type.Union([Type.String(), Type.Null()]),
  board_id: Type.String(),
  board_section_id: Type.Union([Type.String(), Type.Null()]),
  board_owner: Type.Object({ username: Type.String() }),
  parent_pin_id: Type.Union([Type.String(), Type.Null()]),
  is_owner: Type.Boolean(),
  is_standard: Type.Boolean(),
  has_been_promoted: Type.Boolean(),
  creative_type: Type.String(),
  media: Type.Object({
    media_type: Type.String(),
    images: Type.Optional(Images),
    items: Type.Optional(
      Type.Array(
        Type.Object({
          item_type: Type.String(),
          images: Images,
          title: Type.Union([Type.String(), Type.Null()]),
          description: Type.Union([Type.String(), Type.Null()]),
          link: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
    ),
    /** Extension: `pending` while images are processed, `failed` if they could not be. */
    status: Type.Optional(Type.String()),
  }),
  /** With `pin_metrics=true`: the 90-day and lifetime counts of the viewer's own pins, null for others'. */
  pin_metrics: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.Record(Type.String(), Type.Number())), Type.Null()]),
  ),
  /**
   * Extension: on every pin of a list, the signed token to send back with an impression or click of it
   * (POST /v5/events).
   */
  impression_token: Type.Optional(Type.String()),
  /**
   * Extension: on a promoted pin laid into the home feed, related pins or search, `true`, with the ad that
   * placed it and the advertiser's name (show it as "Promoted by ..."). Absent on organic pins.
   */
  is_promoted: Type.Optional(
    Type.Boolean({
      description:
        'Extension: true on a promoted Pin laid into the home feed, related Pins or search. It takes a place of the page (a page holds at most page_size items): the organic Pins it displaces open the next page.',
    }),
  ),
  ad_id: Type.Optional(Type.String({ description: 'Extension: the ad of a promoted pin.' })),
  advertiser_name: Type.Optional(Type.String({ description: 'Extension: who promotes a promoted pin.' })),
});

export const PinListQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    pin_filter: Type.Optional(
      Type.Union([
        Type.Literal('exclude_native'),
        Type.Literal('exclude_repins'),
        Type.Literal('has_been_promoted'),
      ]),
    ),
    include_protected_pins: Type.Optional(Type.Boolean()),
    pin_type: Type.Optional(Type.Literal('PRIVATE')),
    pin_metrics: Type.Optional(Type.Boolean()),
    ad_account_id: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 18 })),
    creative_types: Type.Optional(Type.Array(Type.String())),
  }),
]);

export const PinReadQuery = Type.Object({
  ad_account_id: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 18 })),
  pin_metrics: Type.Optional(Type.Boolean()),
});

export const PinPage = Page(Pin);
export const BoardPinsQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    pin_metrics: Type.Optional(Type.Boolean()),
    ad_account_id: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 18 })),
    creative_types: Type.Optional(Type.Array(Type.String())),
  }),
]);
