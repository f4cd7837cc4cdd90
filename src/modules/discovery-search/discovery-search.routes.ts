import { principalOf } from '../../http/auth.js';
import { DEVICE_ID_DOC, deviceIdOf } from '../../http/device-id.js';
import type { HttpServer } from '../../http/types.js';
import { sendWritten } from '../../http/written-json.js';
import {
  BoardResults,
  GlobalBoardsQuery,
  GlobalQuery,
  PartnerPinsQuery,
  PinResults,
  Related,
  RelatedQuery,
  Suggested,
  SuggestedQuery,
  TrendingKeywords,
  TrendParams,
  TrendsQuery,
  UserResults,
} from './discovery-search.schemas.js';
import type { GlobalSearchService } from './global-search.service.js';
import type { TermsService } from './terms.service.js';
import { listParam } from './text.js';
import type { TrendsService } from './trends.service.js';

// Scopes and rate-limit categories as the spec's `security` and `x-ratelimit-category` give them; the
// extensions take those of the nearest spec operation (board and user reads).
const PINS = { scopes: ['boards:read', 'pins:read'], rateLimit: 'org_read' };
const BOARDS = { scopes: ['boards:read'], rateLimit: 'org_read' };
const USERS = { scopes: ['user_accounts:read'], rateLimit: 'org_read' };
const TERMS = { scopes: ['ads:read'], rateLimit: 'ads_read' };
const TRENDS = { scopes: ['user_accounts:read'], rateLimit: 'trends_read' };

const RANKING =
  'Ranked by text relevance (title 1, description 0.4, board name 0.3, alt text 0.2) × (1 + 0.5 ln(1 + engagement)) × exp(-age / 120 days); a word with no match in public content is corrected to the nearest public word (trigram similarity ≥ 0.3): the page then carries `corrected_term` (extension), and `correct=false` (extension) searches the words as written. Secret boards and their pins are never searched. At most 1,000 results per term.';

export function discoverySearchRoutes(
  app: HttpServer,
  services: { search: GlobalSearchService; terms: TermsService; trends: TrendsService },
): void {
  const { search, terms, trends } = services;
  app.get(
    '/v5/search/partner/pins',
    {
      config: PINS,
      schema: {
        tags: ['search'],
        summary: 'Search pins by a given search term',
        description: `Every public pin, not only the caller's. ${RANKING} ${DEVICE_ID_DOC}`,
        querystring: PartnerPinsQuery,
        response: { 200: PinResults },
      },
    },
    async (request, reply) =>
      sendWritten(
        reply,
        await search.pins(principalOf(request), request.query, {
          requestId: request.id,
          deviceId: deviceIdOf(request),
        }),
      ),
  );

  app.get(
    '/v5/search/global/boards',
    {
      config: BOARDS,
      schema: {
        tags: ['search'],
        summary: 'Search boards by a given search term (Corkboard extension)',
        description:
          'Public boards (not protected or secret) whose name or description match every word (corrected like pin search, with `corrected_term` and `correct=false` as there), by ts_rank_cd × (1 + 0.5 ln(1 + followers)). Paginated like /v5/search/partner/pins.',
        querystring: GlobalBoardsQuery,
        response: { 200: BoardResults },
      },
    },
    async (request) => search.boards(principalOf(request), request.query),
  );

  app.get(
    '/v5/search/global/users',
    {
      config: USERS,
      schema: {
        tags: ['search'],
        summary: 'Search people by username (Corkboard extension)',
        description:
          'People whose username begins with the term (score 1) or resembles it (trigram similarity ≥ 0.3), × (1 + 0.5 ln(1 + followers)). Paginated like /v5/search/partner/pins.',
        querystring: GlobalQuery,
        response: { 200: UserResults },
      },
    },
    async (request) => search.users(request.query),
  );

  app.get(
    '/v5/terms/suggested',
    {
      config: TERMS,
      schema: {
        tags: ['terms'],
        summary: 'List suggested terms',
        description:
          'Public terms beginning with the input term, by 2 ln(1 + searches in 30 days) + ln(1 + pins and boards titled so). Served from memory, rebuilt every 30 s.',
        querystring: SuggestedQuery,
        response: { 200: Suggested },
      },
    },
    async (request) => terms.suggested(request.query),
  );

  app.get(
    '/v5/terms/related',
    {
      config: TERMS,
      schema: {
        tags: ['terms'],
        summary: 'List related terms',
        description:
          'For each input term: searched or public terms containing all its words, then pin titles found with it on public boards.',
        querystring: RelatedQuery,
        response: { 200: Related },
      },
    },
    async (request) => terms.related(listParam(request.query.terms)),
  );

  app.get(
    '/v5/trends/keywords/:region/top/:trend_type',
    {
      config: TRENDS,
      schema: {
        tags: ['keywords'],
        summary: 'List trending keywords',
        description:
          'From the daily counts of SEARCH events (formulas in docs/architecture.md). Corkboard does not know where searchers are, so every region answers the same trends; interests, genders and ages are validated and do not narrow them; no predictions or demographics.',
        params: TrendParams,
        querystring: TrendsQuery,
        response: { 200: TrendingKeywords },
      },
    },
    async (request) => trends.keywords({ trend_type: request.params.trend_type, ...request.query }),
  );
}
