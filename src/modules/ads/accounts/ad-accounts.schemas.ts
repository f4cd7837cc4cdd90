import { Type } from 'typebox';
import { Id } from '../../../http/id.js';
import { Page, PageQuery } from '../../../http/pagination.js';
import { Country, Currency, literals } from '../ads.schemas.js';

export const AdAccount = Type.Object({
  id: Type.String(),
  name: Type.String(),
  owner: Type.Object({ id: Type.String(), username: Type.String() }),
  country: Type.String(),
  currency: Type.String(),
  permissions: Type.Array(Type.String()),
  created_time: Type.Integer(),
  updated_time: Type.Integer(),
});

export const AdAccountPage = Page(AdAccount);

export const AdAccountsQuery = Type.Object({
  ...PageQuery.properties,
  include_shared_accounts: Type.Optional(
    Type.Boolean({ default: true, description: 'Include the accounts others have shared with you.' }),
  ),
});

export const AdAccountCreate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Default "Ad account".' })),
    country: Type.Optional(Country),
    currency: Type.Optional(
      Type.Union([Currency, Type.Literal('UNK')], {
        description: "Default (or UNK): the country's currency where Pinterest lists one, else USD.",
      }),
    ),
    owner_user_id: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 19 })),
  },
  { additionalProperties: false },
);

/** The roles an owner may grant (OWNER is the account's creator and cannot be granted). */
export const MemberRole = literals(['ADMIN', 'ANALYST', 'CAMPAIGN_MANAGER']);

export const Member = Type.Object({
  user: Type.Object({ id: Type.String(), username: Type.String() }),
  role: MemberRole,
  created_time: Type.Integer(),
});

export const MemberPage = Page(Member);
export const MemberParams = Type.Object({
  ad_account_id: Id,
  username: Type.String({ minLength: 1, maxLength: 64 }),
});
export const MemberPut = Type.Object({ role: MemberRole }, { additionalProperties: false });
