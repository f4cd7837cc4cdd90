import { Type } from 'typebox';
import {
  AdAccountIdParams,
  BulkItemsOneException,
  literals,
  Nullable,
  TrackingUrls,
} from '../ads.schemas.js';
import { EntityListQuery, EntityStatusSchema, IdsQuery, Page } from '../entity.schemas.js';

export const CREATIVE_TYPES = [
  'REGULAR',
  'VIDEO',
  'SHOPPING',
  'CAROUSEL',
  'MAX_VIDEO',
  'SHOP_THE_PIN',
  'COLLECTION',
  'IDEA',
  'SHOWCASE',
  'QUIZ',
  'COLLAGE',
  'MAX_WIDTH_REGULAR_COLLECTION',
  'MAX_WIDTH_VIDEO_COLLECTION',
] as const;
export const DISCLOSURE_TYPES = [
  'NO_DISCLOSURE',
  'PRESCRIBING_INFORMATION',
  'PRESCRIBING_INFORMATION_BOX_WARNING',
  'IMPORTANT_SAFETY_INFO',
  'MED_GUIDE',
  'PATIENT_INFORMATION',
] as const;

const Url = Nullable(Type.String({ maxLength: 2048 }));
const Urls = Nullable(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 5 }));

const common = {
  name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  status: Type.Optional(EntityStatusSchema),
  creative_type: Type.Optional(literals([...CREATIVE_TYPES])),
  destination_url: Type.Optional(Url),
  click_tracking_url: Type.Optional(Url),
  view_tracking_url: Type.Optional(Url),
  tracking_urls: Type.Optional(Nullable(TrackingUrls)),
  android_deep_link: Type.Optional(Url),
  ios_deep_link: Type.Optional(Url),
  carousel_android_deep_links: Type.Optional(Urls),
  carousel_destination_urls: Type.Optional(Urls),
  carousel_ios_deep_links: Type.Optional(Urls),
  customizable_cta_type: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  disclosure_type: Type.Optional(Nullable(literals([...DISCLOSURE_TYPES]))),
  disclosure_url: Type.Optional(Url),
  grid_click_type: Type.Optional(Nullable(literals(['CLOSEUP', 'DIRECT_TO_DESTINATION']))),
  lead_form_id: Type.Optional(Nullable(Type.String({ maxLength: 19 }))),
  quiz_pin_data: Type.Optional(Nullable(Type.Record(Type.String(), Type.Unknown()))),
};

export const AdCreate = Type.Object({
  ...common,
  ad_group_id: Type.String({ pattern: '^(AG)?\\d{1,19}$' }),
  pin_id: Type.String({ pattern: '^\\d{1,19}$' }),
  creative_type: literals([...CREATIVE_TYPES]),
});
export const AdUpdate = Type.Object({
  ...common,
  id: Type.String({ pattern: '^\\d{1,19}$' }),
  ad_group_id: Type.Optional(Type.String({ pattern: '^(AG)?\\d{1,19}$' })),
  pin_id: Type.Optional(Nullable(Type.String({ pattern: '^\\d{1,19}$' }))),
});
export const AdCreateBody = Type.Array(AdCreate, { minItems: 1, maxItems: 30 });
export const AdUpdateBody = Type.Array(AdUpdate, { minItems: 1, maxItems: 30 });

export const Ad = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  campaign_id: Type.String(),
  ad_group_id: Type.String(),
  pin_id: Type.String(),
  name: Nullable(Type.String()),
  status: Type.String(),
  creative_type: Type.String(),
  destination_url: Url,
  click_tracking_url: Url,
  view_tracking_url: Url,
  tracking_urls: Nullable(TrackingUrls),
  android_deep_link: Url,
  ios_deep_link: Url,
  carousel_android_deep_links: Urls,
  carousel_destination_urls: Urls,
  carousel_ios_deep_links: Urls,
  customizable_cta_type: Nullable(Type.String()),
  disclosure_type: Nullable(Type.String()),
  disclosure_url: Url,
  grid_click_type: Nullable(Type.String()),
  lead_form_id: Nullable(Type.String()),
  quiz_pin_data: Nullable(Type.Record(Type.String(), Type.Unknown())),
  collection_items_destination_url_template: Nullable(Type.String()),
  is_pin_deleted: Type.Boolean(),
  is_removable: Type.Boolean(),
  review_status: Type.String(),
  rejected_reasons: Type.Array(Type.String()),
  rejection_labels: Type.Array(Type.String()),
  summary_status: Type.String(),
  type: Type.Literal('pinpromotion'),
  created_time: Type.Integer(),
  updated_time: Type.Integer(),
});

export const AdBulkResult = BulkItemsOneException(Ad);
export const AdPage = Page(Ad);
export const AdListQuery = Type.Object({
  ...EntityListQuery,
  campaign_ids: IdsQuery('campaigns'),
  ad_group_ids: IdsQuery('ad groups'),
  ad_ids: IdsQuery('ads'),
});
export const AdParams = Type.Object({
  ...AdAccountIdParams.properties,
  ad_id: Type.String({ pattern: '^\\d{1,19}$' }),
});
