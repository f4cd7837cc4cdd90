import { Type } from 'typebox';
import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/server.js';
import {
  Account,
  AdAccountQuery,
  Demographics,
  DemographicsPatch,
  LinkedBusiness,
} from './accounts.schemas.js';
import type { AccountsService } from './accounts.service.js';

export function accountsRoutes(
  app: HttpServer,
  accounts: AccountsService,
  monthlyViews: (userId: string) => Promise<number>,
): void {
  app.get(
    '/v5/user_account',
    {
      config: { scopes: ['user_accounts:read'], rateLimit: 'org_read' },
      schema: {
        tags: ['user_account'],
        summary: 'Get user account',
        querystring: AdAccountQuery,
        response: { 200: Account },
      },
    },
    async (request) => {
      const { userId, scopes } = principalOf(request);
      const [account, views] = await Promise.all([
        accounts.account(userId, userId, scopes),
        monthlyViews(userId),
      ]);
      return { ...account, monthly_views: views };
    },
  );

  app.get(
    '/v5/user_account/businesses',
    {
      config: { scopes: ['user_accounts:read'], rateLimit: 'org_read' },
      schema: {
        tags: ['user_account'],
        summary: 'List linked businesses',
        description:
          'The business accounts linked to yours. Corkboard has no business accounts (ad accounts come with the Ads API), so the list is empty.',
        response: { 200: Type.Array(LinkedBusiness) },
      },
    },
    async () => [],
  );

  // Extension: what a person tells of themselves for ads to be relevant. Only they see it; the ad server
  // matches it against targeting, and advertisers see only aggregates above a minimum count.
  const DEMOGRAPHICS = {
    tags: ['user_account'],
    description:
      'Corkboard extension: optional locale, country, gender and year of birth, which ads may target (AGE_BUCKET, GENDER, LOCALE, LOCATION). Shown to you alone; advertisers never see them but as aggregates above a minimum count. Under 18, no age bucket is given.',
  };
  app.get(
    '/v5/user_account/demographics',
    {
      config: { scopes: ['user_accounts:read'], rateLimit: 'org_read' },
      schema: {
        ...DEMOGRAPHICS,
        summary: 'Get your demographics (Corkboard extension)',
        response: { 200: Demographics },
      },
    },
    async (request) => accounts.demographics(principalOf(request).userId),
  );
  app.patch(
    '/v5/user_account/demographics',
    {
      config: { scopes: ['user_accounts:write'], rateLimit: 'org_write' },
      schema: {
        ...DEMOGRAPHICS,
        summary: 'Set your demographics (Corkboard extension)',
        body: DemographicsPatch,
        response: { 200: Demographics },
      },
    },
    async (request) => accounts.setDemographics(principalOf(request).userId, request.body),
  );
}
