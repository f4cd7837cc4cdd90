import { Type } from 'typebox';
import { PageQuery } from '../../../http/pagination.js';
import { AdAccountIdParams, literals } from '../ads.schemas.js';
import { Page } from '../entity.schemas.js';

/** The spec's UserListType values. */
export const USER_LIST_TYPES = ['EMAIL', 'IDFA', 'MAID', 'LR_ID', 'DLX_ID', 'HASHED_PINNER_ID'] as const;
/** What each accepted list type's records are the SHA-256 of. */
export const ACCEPTED_LIST_TYPES = {
  EMAIL: 'the trimmed, lower-cased e-mail address',
  HASHED_PINNER_ID: "the person's decimal Corkboard user id",
} as const;

const Records = Type.String({
  minLength: 1,
  maxLength: 1_000_000,
  description:
    'Comma-separated SHA-256 hashes (64 hex digits), at most 10,000 a call: of the trimmed, lower-cased e-mail for EMAIL lists, of the decimal Corkboard user id for HASHED_PINNER_ID lists. Plain e-mails and other hashes are refused, so nothing unhashed is ever received into storage.',
});

export const CustomerListCreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255, description: 'Customer list name.' }),
  records: Records,
  list_type: Type.Optional(
    literals([...USER_LIST_TYPES], {
      default: 'EMAIL',
      description:
        'EMAIL or HASHED_PINNER_ID; device ids and partner ids (IDFA, MAID, LR_ID, DLX_ID) are refused.',
    }),
  ),
});

export const CustomerListUpdateBody = Type.Object({
  operation_type: literals(['ADD', 'REMOVE'], { description: 'Add the records, or remove them.' }),
  records: Records,
});

export const CustomerList = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  name: Type.String(),
  created_time: Type.Integer(),
  updated_time: Type.Integer(),
  num_batches: Type.Integer(),
  num_uploaded_user_records: Type.Integer(),
  num_removed_user_records: Type.Integer(),
  status: literals(['PROCESSING', 'READY', 'TOO_SMALL', 'UPLOADING']),
  type: Type.Literal('customerlist'),
});

export const CustomerListPage = Page(CustomerList);
export const CustomerListListQuery = Type.Object({
  ...PageQuery.properties,
  order: Type.Optional(
    literals(['ASCENDING', 'DESCENDING'], { description: 'By id; ascending by default.' }),
  ),
});
export const CustomerListParams = Type.Object({
  ...AdAccountIdParams.properties,
  customer_list_id: Type.String({ pattern: '^\\d{1,19}$' }),
});
