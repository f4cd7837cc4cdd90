import { principalOf } from '../../../http/auth.js';
import { PageQuery } from '../../../http/pagination.js';
import type { HttpServer } from '../../../http/types.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  AdAccount,
  AdAccountCreate,
  AdAccountPage,
  AdAccountsQuery,
  Member,
  MemberPage,
  MemberParams,
  MemberPut,
} from './ad-accounts.schemas.js';
import type { AdAccountsService } from './ad-accounts.service.js';

export const ADS_READ = { scopes: ['ads:read'], rateLimit: 'ads_read' };
export const ADS_WRITE = { scopes: ['ads:write'], rateLimit: 'ads_write' };
const tags = ['ad_accounts'];

export function adAccountsRoutes(app: HttpServer, service: AdAccountsService): void {
  app.get(
    '/v5/ad_accounts',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List ad accounts',
        querystring: AdAccountsQuery,
        response: { 200: AdAccountPage },
      },
    },
    async (request) =>
      service.list(
        principalOf(request).userId,
        request.query.include_shared_accounts ?? true,
        request.query.page_size ?? 25,
        request.query.bookmark,
      ),
  );

  app.post(
    '/v5/ad_accounts',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create ad account',
        description:
          'Creates an ad account owned by the caller (owner_user_id, if given, must be the caller). Country defaults to US and currency to USD; a person owns at most 50 ad accounts. Any account type may advertise.',
        body: AdAccountCreate,
        response: { 200: AdAccount },
      },
    },
    async (request) => service.create(principalOf(request).userId, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id',
    {
      config: ADS_READ,
      schema: { tags, summary: 'Get ad account', params: AdAccountIdParams, response: { 200: AdAccount } },
    },
    async (request) => service.get(principalOf(request).userId, request.params.ad_account_id),
  );

  // Extension: who else may act on an account (Pinterest's Business Access, reduced to a role table).
  app.get(
    '/v5/ad_accounts/:ad_account_id/members',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List ad account members (Corkboard extension)',
        description:
          'The people the owner has given a role on this ad account: ADMIN (everything, including access), CAMPAIGN_MANAGER (campaigns, ad groups, ads, audiences, analytics, conversions) or ANALYST (reads, analytics and conversions).',
        params: AdAccountIdParams,
        querystring: PageQuery,
        response: { 200: MemberPage },
      },
    },
    async (request) =>
      service.members(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.query.page_size ?? 25,
        request.query.bookmark,
      ),
  );

  app.put(
    '/v5/ad_accounts/:ad_account_id/members/:username',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Grant a role on an ad account (Corkboard extension)',
        description: 'Gives the person a role on the account, or changes it. Only the owner and ADMINs may.',
        params: MemberParams,
        body: MemberPut,
        response: { 200: Member },
      },
    },
    async (request) =>
      service.putMember(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.params.username,
        request.body.role,
      ),
  );

  app.delete(
    '/v5/ad_accounts/:ad_account_id/members/:username',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Remove a role on an ad account (Corkboard extension)',
        params: MemberParams,
      },
    },
    async (request, reply) => {
      await service.removeMember(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.params.username,
      );
      return reply.status(204).send();
    },
  );
}
