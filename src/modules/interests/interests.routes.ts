import { Type } from 'typebox';
import { Page, PageQuery } from '../../http/pagination.js';
import type { HttpServer } from '../../http/types.js';
import type { InterestsService } from './interests.service.js';

const UsernameParams = Type.Object({
  username: Type.String({ pattern: '(?!^\\d+$)^.+$', maxLength: 100, description: 'A valid username' }),
});

const Interest = Type.Object({
  id: Type.String({ pattern: '^\\d+$' }),
  key: Type.String(),
  name: Type.String(),
  canonical_url: Type.String(),
});

export function interestsRoutes(app: HttpServer, interests: InterestsService): void {
  app.get(
    '/v5/users/:username/interests/follow',
    {
      config: { scopes: ['user_accounts:read'], rateLimit: 'org_read' },
      schema: {
        tags: ['user_account'],
        summary: 'List following interests',
        description:
          "The interests of Corkboard's taxonomy that the person's public boards and pins are about, most matched first (at most 50). Secret and protected boards never count.",
        params: UsernameParams,
        querystring: PageQuery,
        response: { 200: Page(Interest) },
      },
    },
    async (request) =>
      interests.followed(request.params.username, request.query.page_size ?? 25, request.query.bookmark),
  );
}
