import type { TopicConsumer } from '../../topics.js';
import { type AttributionWindows, attributionRepository as repo } from './attribution.repository.js';

export const ATTRIBUTION_CONSUMER = 'ads.attribution';
const TOPIC = 'ads.conversions.received';

/**
 * Conversion attribution: for each batch of newly stored conversions, in the delivery's transaction,
 * credits each to the ad of its person's last click (else last view) within the windows, with the events
 * stored at that moment. The rows commit with the delivery record, so a redelivery does nothing; a
 * conversion announced twice is credited once (ad_attributions is keyed by the conversion).
 */
export function attributionConsumer(windows: AttributionWindows): TopicConsumer<typeof TOPIC> {
  return {
    name: ATTRIBUTION_CONSUMER,
    topics: [TOPIC],
    async handle(payload, ctx) {
      const { adAccountId, eventIds } = payload;
      const credited = await repo.attribute(ctx.trx, adAccountId, eventIds, windows);
      ctx.log.debug({ adAccountId, conversions: eventIds.length, credited }, 'conversions attributed');
    },
  };
}
