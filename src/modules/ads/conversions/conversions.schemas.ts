import { Type } from 'typebox';
import { AdAccountIdParams } from '../ads.schemas.js';

const Text = (maxLength = 1024) => Type.String({ maxLength });
const NullableText = (maxLength = 1024) => Type.Union([Type.String({ maxLength }), Type.Null()]);
const Hashes = Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 });

const UserData = Type.Object({
  em: Type.Optional(Hashes),
  hashed_maids: Type.Optional(Hashes),
  client_ip_address: Type.Optional(Text(64)),
  client_user_agent: Type.Optional(Text(16384)),
  ph: Type.Optional(Hashes),
  ge: Type.Optional(Hashes),
  db: Type.Optional(Hashes),
  ln: Type.Optional(Hashes),
  fn: Type.Optional(Hashes),
  ct: Type.Optional(Hashes),
  st: Type.Optional(Hashes),
  zp: Type.Optional(Hashes),
  country: Type.Optional(Hashes),
  external_id: Type.Optional(Hashes),
  click_id: Type.Optional(NullableText(256)),
  partner_id: Type.Optional(NullableText(256)),
});

const CustomData = Type.Object({
  currency: Type.Optional(NullableText(8)),
  value: Type.Optional(NullableText(32)),
  content_ids: Type.Optional(Type.Array(Text(256), { maxItems: 1000 })),
  content_name: Type.Optional(NullableText()),
  content_category: Type.Optional(NullableText()),
  content_brand: Type.Optional(NullableText()),
  contents: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.Optional(Text(256)),
        item_brand: Type.Optional(Text()),
        item_category: Type.Optional(Text()),
        item_name: Type.Optional(Text()),
        item_price: Type.Optional(Text(32)),
        quantity: Type.Optional(Type.Integer()),
      }),
      { maxItems: 1000 },
    ),
  ),
  num_items: Type.Optional(Type.Integer()),
  order_id: Type.Optional(NullableText(256)),
  search_string: Type.Optional(NullableText()),
  opt_out_type: Type.Optional(NullableText(64)),
  np: Type.Optional(NullableText(64)),
  predicted_ltv: Type.Optional(NullableText(32)),
  external_measurement_id: Type.Optional(NullableText(256)),
  external_measurement_vendor_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});

export const ConversionEvent = Type.Object({
  event_name: Text(64),
  action_source: Text(32),
  event_time: Type.Integer(),
  event_id: Text(256),
  user_data: UserData,
  custom_data: Type.Optional(CustomData),
  event_source_url: Type.Optional(NullableText(4096)),
  opt_out: Type.Optional(Type.Boolean()),
  partner_name: Type.Optional(NullableText(128)),
  app_id: Type.Optional(NullableText(256)),
  app_name: Type.Optional(NullableText(256)),
  app_version: Type.Optional(NullableText(128)),
  device_brand: Type.Optional(NullableText(128)),
  device_carrier: Type.Optional(NullableText(128)),
  device_model: Type.Optional(NullableText(128)),
  device_type: Type.Optional(NullableText(128)),
  os_version: Type.Optional(NullableText(128)),
  wifi: Type.Optional(Type.Boolean()),
  language: Type.Optional(NullableText(35)),
});

export const ConversionEvents = Type.Object({
  data: Type.Array(ConversionEvent, { minItems: 1, maxItems: 1000 }),
});

export const ConversionEventsQuery = Type.Object({
  test: Type.Optional(
    Type.Boolean({ description: 'Check the events and answer as usual, without recording them.' }),
  ),
});

export const ConversionResult = Type.Object({
  num_events_received: Type.Integer(),
  num_events_processed: Type.Integer(),
  events: Type.Array(
    Type.Object({
      status: Type.Enum(['failed', 'processed'], { type: 'string' }),
      error_message: Type.Union([Type.String(), Type.Null()]),
      warning_message: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const ConversionTokenQuery = Type.Object({
  ad_account_id: Type.Optional(
    Type.String({
      pattern: '^\\d+$',
      maxLength: 18,
      description:
        'Corkboard extension: bind the token to this one ad account (else it serves every ad account you may send conversions for).',
    }),
  ),
});

export const ConversionToken = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('conversion'),
});

const TagConfigs = Type.Object({
  aem_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  md_frequency: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
  aem_fnln_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_ph_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_ge_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_db_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_loc_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_external_id_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
});

export const ConversionTagCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 1024 }),
  aem_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  md_frequency: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
  aem_fnln_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_ph_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_ge_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_db_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_loc_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  aem_external_id_enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
});

export const ConversionTag = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  code_snippet: Type.String(),
  configs: TagConfigs,
  enhanced_match_status: Type.Union([Type.String(), Type.Null()]),
  last_fired_time_ms: Type.Union([Type.Number(), Type.Null()]),
  version: Type.String(),
});

export const ConversionTagList = Type.Object({ items: Type.Array(ConversionTag) });
export const ConversionTagsQuery = Type.Object({
  filter_deleted: Type.Optional(Type.Boolean({ default: false, description: 'Leave out deleted tags.' })),
});
export const ConversionTagParams = Type.Object({
  ...AdAccountIdParams.properties,
  conversion_tag_id: Type.String({ pattern: '^\\d{1,19}$' }),
});
