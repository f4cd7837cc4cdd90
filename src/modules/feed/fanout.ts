import type { Config } from '../../platform/config.js';
import { isDiscoverable } from '../boards/index.js';
import type { TopicConsumer } from '../topics.js';
import { feedRepository as repo } from './feed.repository.js';
import type { FeedStore } from './feed-store.js';

type FanoutConfig = Pick<Config, 'feedListSize' | 'feedActiveDays' | 'feedCelebrityFollowers'>;

/** How many recent pins of a newly followed person or board go into the follower's list. */
export const BACKFILL_PINS = 20;

/** The moment before which someone counts as inactive. */
export function activeSince(config: Pick<Config, 'feedActiveDays'>, now = Date.now()): Date {
  return new Date(now - config.feedActiveDays * 86_400_000);
}

/**
 * Fan-out on write. A pin created or saved on a public board goes into the following lists of the
 * author's followers and the board's followers who are active (feed_activity within FEED_ACTIVE_DAYS),
 * unless the author (or board) has more than FEED_CELEBRITY_FOLLOWERS followers: then it is marked heavy
 * and its pins are merged when followers read. Pins on protected and secret boards are never fanned out.
 * The lists are sets keyed by pin id, so a redelivery (or a retry after a failed commit) adds nothing.
 */
export function fanoutConsumer(
  store: FeedStore,
  config: FanoutConfig,
): TopicConsumer<'pin.created' | 'pin.saved'> {
  return {
    name: 'feed.fanout',
    topics: ['pin.created', 'pin.saved'],
    handle: async ({ pinId }, ctx) => {
      const pin = await repo.pinForFanout(ctx.trx, pinId);
      if (!pin) return; // deleted since
      // Writing a pin is using Corkboard: the author gets fan-out from now on too.
      await repo.markActive(ctx.trx, [pin.owner_id]);
      // Whoever saved it should not be offered it again from a first page they were shown before.
      await store.dropCurrent([pin.owner_id]);
      if (!isDiscoverable(pin.privacy)) return;
      const threshold = config.feedCelebrityFollowers;
      const heavyAuthor = await repo.userIsHeavy(ctx.trx, pin.owner_id, threshold);
      const heavyBoard = await repo.boardIsHeavy(ctx.trx, pin.board_id, threshold);
      await repo.setHeavy(ctx.trx, 'user', pin.owner_id, heavyAuthor);
      await repo.setHeavy(ctx.trx, 'board', pin.board_id, heavyBoard);
      if (heavyAuthor && heavyBoard) return;
      const targets = await repo.activeFollowers(ctx.trx, {
        authorId: pin.owner_id,
        boardId: pin.board_id,
        since: activeSince(config),
        viaAuthor: !heavyAuthor,
        viaBoard: !heavyBoard,
      });
      if (targets.length === 0) return;
      await store.push(targets, { pinId, at: pin.at }, config.feedListSize);
      await store.dropCurrent(targets);
    },
  };
}

/**
 * A new follow shows at once: the followee's (or board's) newest public pins go into the follower's
 * list, if the follower has one (otherwise it is built from the follows when they next read).
 */
export function followConsumer(
  store: FeedStore,
  config: FanoutConfig,
): TopicConsumer<'user.followed' | 'board.followed'> {
  return {
    name: 'feed.follows',
    topics: ['user.followed', 'board.followed'],
    handle: async (p, ctx) => {
      // user.followed names follower and followee; board.followed the user and the board.
      const follower = 'followerId' in p ? p.followerId : p.userId;
      await repo.markActive(ctx.trx, [follower]);
      const source = 'followerId' in p ? { userId: p.followeeId } : { boardId: p.boardId };
      for (const entry of await repo.recentOf(ctx.trx, source, BACKFILL_PINS))
        await store.push([follower], entry, config.feedListSize);
      await store.dropCurrent([follower]);
    },
  };
}
