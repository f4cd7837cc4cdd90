import type { Privacy } from '../platform/db/schema.js';
import { typedEmit } from '../platform/jobs/outbox.js';
import type { Consumer } from '../platform/jobs/types.js';

/**
 * The product's outbox topics: each topic's name and the payload it is emitted with now. `emit` and
 * every consumer are typed from it, so a misspelt topic or a wrong payload does not compile. The names
 * and payloads are what the outbox rows and streams carry: renaming a topic or a field strands the rows
 * written by the code before it, so a change is an addition, with the older shape kept in `Earlier`.
 */
export interface Topics {
  'pin.created': { pinId: string; ownerId: string; boardId: string };
  /** A repin: `parentPinId` is the pin saved from. */
  'pin.saved': { pinId: string; parentPinId: string; ownerId: string; boardId: string };
  'pin.updated': { pinId: string };
  'pin.deleted': { pinId: string; ownerId: string; boardId: string };
  'board.created': { boardId: string; ownerId: string; privacy: Privacy };
  'board.privacy_changed': { boardId: string; from: Privacy; to: Privacy };
  'board.deleted': { boardId: string; ownerId: string };
  'user.followed': { followerId: string; followeeId: string; autoFollow: boolean };
  'user.unfollowed': { followerId: string; followeeId: string };
  'board.followed': { userId: string; boardId: string; ownerId: string };
  'board.unfollowed': { userId: string; boardId: string };
  /** A raw upload waiting to be processed. */
  'image.stored': { imageId: string };
  /** An image settled (ready or failed); `key` names its raw upload, to be deleted. */
  'image.processed': { key: string; imageId: string };
  /** An accepted batch of events: its id and the distinct days of its rows (sorted). */
  'events.batch': { batchId: string; days: string[] };
  /** An asynchronous ads report was asked for (ad_reports row `token`, IN_PROGRESS): build its file. */
  'ads.report.requested': { token: string };
  /** A sampled auction (the auction log): every candidate scored and ranked, and the winners' prices. */
  'ads.auction': AuctionLogEntry;
  /**
   * Conversion events newly stored for an ad account (ad_conversions, not test events) whose sender was
   * matched to a person: to be attributed to an ad.
   */
  'ads.conversions.received': { adAccountId: string; eventIds: string[] };
}

/** One auction as the auction log records it. Money is integer micro; eCPM per thousand impressions. */
export interface AuctionLogEntry {
  at: string;
  requestId: string;
  surface: string;
  placement: string;
  candidates: {
    adId: string;
    adGroupId: string;
    bidMicro: number;
    pctr: number;
    relevance: number;
    ecpm: number;
    refused: string | null;
  }[];
  winners: { adId: string; slot: number; priceMicro: number; reserved: boolean }[];
}

export type TopicName = keyof Topics;

/**
 * Older payload shapes still to be found in outbox rows and streams written before a deploy. A consumer
 * receives them too (see `Received`), so the compiler makes it read them tolerantly.
 */
interface Earlier {
  /** Before the images-ready consumer (d993321), without `imageId`. */
  'image.processed': { key: string };
}

/** What a consumer of each topic may receive: today's payload or an earlier one. */
export type Received = { [K in TopicName]: Topics[K] | (K extends keyof Earlier ? Earlier[K] : never) };

/** A consumer of some product topics: its `handle` gets the union of their payloads (as received). */
export type TopicConsumer<K extends TopicName> = Consumer<Received, K>;

/** Records an event of a product topic in the outbox, in the transaction of the change it tells of. */
export const emit = typedEmit<Topics>();
