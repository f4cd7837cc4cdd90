import { type Static, Type } from 'typebox';
import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { Invalid } from '../../../platform/errors.js';
import type { AdAccess } from '../ad-access.js';
import { AdAccountIdParams, Currency, literals } from '../ads.schemas.js';
import { bidFloorMicro, CURRENCIES } from '../money.js';
import { TargetingSpecBody, validateTargetingSpec } from '../targeting/index.js';
import { BILLABLE_EVENTS } from './ad-groups.schemas.js';

export const BidFloorRequest = Type.Object({
  bid_floor_specs: Type.Array(
    Type.Object({
      billable_event: literals([...BILLABLE_EVENTS]),
      currency: Type.Union([Currency, Type.Literal('UNK')]),
      countries: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { maxItems: 250 })),
      creative_type: Type.Optional(Type.String({ maxLength: 64 })),
      objective_type: Type.Optional(Type.String({ maxLength: 64 })),
      optimization_goal_metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
    { minItems: 1, maxItems: 100 },
  ),
  targeting_spec: Type.Optional(TargetingSpecBody),
});

export const BidFloor = Type.Object({
  bid_floors: Type.Array(Type.Integer()),
  type: Type.Literal('bidfloor'),
});

/**
 * POST /v5/ad_accounts/{ad_account_id}/bid_floor: the least bid per spec, in micro-currency: per click a
 * tenth of the currency's least daily budget, per thousand impressions twice it. Floors do not vary by
 * country or targeting here (both are checked).
 */
export async function bidFloors(
  access: AdAccess,
  userId: string,
  accountId: string,
  body: Static<typeof BidFloorRequest>,
) {
  await access.require(userId, accountId, 'read');
  if (body.targeting_spec !== undefined) validateTargetingSpec(body.targeting_spec);
  return {
    bid_floors: body.bid_floor_specs.map((spec, i) => {
      if (spec.billable_event === 'VIDEO_V_50_MRC')
        throw new Invalid(
          `bid_floor_specs[${i}]: VIDEO_V_50_MRC needs video pins, which Corkboard does not serve.`,
        );
      if (!(CURRENCIES as readonly string[]).includes(spec.currency))
        throw new Invalid(`bid_floor_specs[${i}]: currency ${spec.currency} is not one Corkboard bills in.`);
      return bidFloorMicro(spec.currency, spec.billable_event);
    }),
    type: 'bidfloor' as const,
  };
}

export function bidFloorRoutes(app: HttpServer, access: AdAccess): void {
  app.post(
    '/v5/ad_accounts/:ad_account_id/bid_floor',
    {
      config: { scopes: ['ads:read'], rateLimit: 'ads_read' },
      schema: {
        tags: ['ad_groups'],
        summary: 'Get bid floors',
        description:
          "The least bid for each spec, in micro-currency of the spec's currency: per click a tenth of the currency's least daily budget (0.10 USD), per thousand impressions twice it (2 USD). Floors do not vary by country, creative or targeting.",
        params: AdAccountIdParams,
        body: BidFloorRequest,
        response: { 200: BidFloor },
      },
    },
    async (request) =>
      bidFloors(access, principalOf(request).userId, request.params.ad_account_id, request.body),
  );
}
