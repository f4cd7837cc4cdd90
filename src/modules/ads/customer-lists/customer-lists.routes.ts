import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  CustomerList,
  CustomerListCreateBody,
  CustomerListListQuery,
  CustomerListPage,
  CustomerListParams,
  CustomerListUpdateBody,
} from './customer-lists.schemas.js';
import type { CustomerListsService } from './customer-lists.service.js';

const tags = ['customer_lists'];

/** Customer lists: create from hashed records, add or remove records, list, read. */
export function customerListsRoutes(app: HttpServer, service: CustomerListsService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/customer_lists',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get customer lists',
        params: AdAccountIdParams,
        querystring: CustomerListListQuery,
        response: { 200: CustomerListPage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/customer_lists',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create customer lists',
        description:
          'Records are SHA-256 hashes only (plain e-mails are refused): EMAIL lists hash the trimmed, lower-cased e-mail, HASHED_PINNER_ID lists the decimal Corkboard user id. The hashes are matched to people at once and dropped; only who matched and the counts are kept. A list that matched fewer than 100 people is TOO_SMALL; how many it matched is never told.',
        params: AdAccountIdParams,
        body: CustomerListCreateBody,
        response: { 200: CustomerList },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/customer_lists/:customer_list_id',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get customer list',
        params: CustomerListParams,
        response: { 200: CustomerList },
      },
    },
    async (request) =>
      service.get(principalOf(request).userId, request.params.ad_account_id, request.params.customer_list_id),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/customer_lists/:customer_list_id',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update customer list',
        description:
          "ADD or REMOVE records (hashed as the list's type says). Audiences built on the list follow at once.",
        params: CustomerListParams,
        body: CustomerListUpdateBody,
        response: { 200: CustomerList },
      },
    },
    async (request) =>
      service.update(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.params.customer_list_id,
        request.body,
      ),
  );
}
