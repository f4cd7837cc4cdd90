import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AdAccess } from '../ad-access.js';
import { bigEnough } from '../audiences/audience-privacy.js';
import { num, secondsOf } from '../entity-rules.js';
import { parseRecords } from './customer-list-records.js';
import { type CustomerListRow, customerListsRepository as repo } from './customer-lists.repository.js';
import {
  ACCEPTED_LIST_TYPES,
  type CustomerListCreateBody,
  type CustomerListListQuery,
  type CustomerListUpdateBody,
} from './customer-lists.schemas.js';

/** What a change to a customer list's people must refresh (the audiences built on it). */
export interface CustomerListDependents {
  refreshForCustomerList(trx: Db, accountId: string, listId: string): Promise<void>;
}

export interface CustomerListsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
  readonly dependents: CustomerListDependents;
}

const HASH_COLUMN = { EMAIL: 'email_sha256', HASHED_PINNER_ID: 'id_sha256' } as const;
type AcceptedType = keyof typeof ACCEPTED_LIST_TYPES;

/**
 * Customer lists: hashed records matched against Corkboard's people. Only the matched people and the
 * counts are kept; the hashes themselves are dropped once matched, and records that are not SHA-256
 * hashes are refused before anything is written.
 */
export class CustomerListsService {
  constructor(private readonly deps: CustomerListsDeps) {}

  present(row: CustomerListRow) {
    return {
      id: String(row.id),
      ad_account_id: String(row.ad_account_id),
      name: row.name,
      created_time: secondsOf(row.created_at)!,
      updated_time: secondsOf(row.updated_at)!,
      num_batches: row.num_batches,
      num_uploaded_user_records: num(row.num_uploaded_user_records)!,
      num_removed_user_records: num(row.num_removed_user_records)!,
      // A list is usable once it matched the minimum; how many it matched is never told.
      status: bigEnough(row.matched) ? ('READY' as const) : ('TOO_SMALL' as const),
      type: 'customerlist' as const,
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/customer_lists. */
  async create(userId: string, accountId: string, body: Static<typeof CustomerListCreateBody>) {
    await this.deps.access.require(userId, accountId, 'manage');
    const name = body.name.trim();
    if (!name) throw new Invalid('name: a customer list needs a name.');
    const listType = acceptedType(body.list_type ?? 'EMAIL');
    const { hashes, count } = parseRecords(body.records);
    return this.deps.db.transaction().execute(async (trx) => {
      const id = await this.deps.ids.next('customerList', trx);
      await repo.insert(trx, { id, ad_account_id: accountId, name, list_type: listType });
      await repo.addUsers(trx, id, await repo.match(trx, HASH_COLUMN[listType], hashes));
      await repo.countBatch(trx, id, 'ADD', count);
      return this.present((await repo.byId(trx, accountId, id))!);
    });
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}: add or remove records. */
  async update(
    userId: string,
    accountId: string,
    listId: string,
    body: Static<typeof CustomerListUpdateBody>,
  ) {
    await this.deps.access.require(userId, accountId, 'manage');
    const { hashes, count } = parseRecords(body.records);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await repo.byId(trx, accountId, listId, true);
      if (!row) throw new NotFound('Customer list not found.');
      const people = await repo.match(trx, HASH_COLUMN[acceptedType(row.list_type)], hashes);
      if (body.operation_type === 'ADD') await repo.addUsers(trx, listId, people);
      else await repo.removeUsers(trx, listId, people);
      await repo.countBatch(trx, listId, body.operation_type, count);
      await this.deps.dependents.refreshForCustomerList(trx, accountId, listId);
      return this.present((await repo.byId(trx, accountId, listId))!);
    });
  }

  /** GET /v5/ad_accounts/{ad_account_id}/customer_lists. */
  async list(userId: string, accountId: string, q: Static<typeof CustomerListListQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    const descending = q.order === 'DESCENDING';
    const scope = `customer_lists:${accountId}:${descending}`;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const pageSize = q.page_size ?? 25;
    const rows = await repo.list(this.deps.db, accountId, { descending, after, limit: pageSize + 1 });
    return this.deps.bookmarks.page(
      scope,
      rows,
      pageSize,
      (last) => [String(last.id)],
      (r) => this.present(r),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}. */
  async get(userId: string, accountId: string, listId: string) {
    await this.deps.access.require(userId, accountId, 'read');
    const row = await repo.byId(this.deps.db, accountId, listId);
    if (!row) throw new NotFound('Customer list not found.');
    return this.present(row);
  }
}

/** The list types Corkboard can match; the others name what they would need. */
function acceptedType(type: string): AcceptedType {
  if (type in ACCEPTED_LIST_TYPES) return type as AcceptedType;
  throw new Invalid(
    `list_type ${type} is not accepted: Corkboard keeps no device or partner ids to match it against. Use EMAIL (SHA-256 of ${ACCEPTED_LIST_TYPES.EMAIL}) or HASHED_PINNER_ID (SHA-256 of ${ACCEPTED_LIST_TYPES.HASHED_PINNER_ID}).`,
  );
}
