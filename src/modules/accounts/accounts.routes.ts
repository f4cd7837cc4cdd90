import { Type } from 'typebox';
import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/server.js';
import { Account, AdAccountQuery, LinkedBusiness } from './accounts.schemas.js';
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
}
