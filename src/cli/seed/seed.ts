import { sql } from 'kysely';
import { emailSha256 } from '../../modules/accounts/index.js';
import type { Db } from '../../platform/db/database.js';
import type { Privacy } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import type { Logger } from '../../platform/logger.js';
import { hashPassword } from '../../platform/secrets-hash.js';
import { type DemoPromotion, seedAdvertisers } from './advertisers.js';
import { PICTURES_PER_TOPIC, seedImages } from './images.js';
import { Random, Zipf } from './random.js';
import { FIRST_NAMES, TOPICS, type Topic } from './vocabulary.js';

export interface SeedOptions {
  /** Same seed, same world. */
  seed: number;
  /** About how many pins to make (originals and saves together). */
  pins: number;
  /** Password every seeded person signs in with (they share one hash: this is demo data). */
  password: string;
}

export interface SeedSummary {
  users: number;
  boards: number;
  secretBoards: number;
  pins: number;
  saves: number;
  follows: number;
  boardFollows: number;
  images: number;
  /** Demo advertisers, each promoting one pin. */
  advertisers: number;
  demoUserId: string;
}

interface PlannedBoard {
  id: string;
  ownerIndex: number;
  topic: Topic;
  privacy: Privacy;
  name: string;
}

const BATCH = 1000;

async function insertBatched<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

/** Appends to the list under `key` (in place: spreading a list per item is quadratic at a million pins). */
function add<K, V>(m: Map<K, V[]>, key: K, item: V): void {
  const list = m.get(key);
  if (list) list.push(item);
  else m.set(key, [item]);
}

/** Keeps the nouns of the given sub-themes (or every noun when `keep` is false). */
function themeFilter(mine: readonly number[], keep: boolean) {
  return (_: string, i: number) => !keep || mine.includes(i % SUB_THEMES);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Taste clusters per topic: a pin's sub-theme is its noun's index modulo this. */
export const SUB_THEMES = 4;
/** Share of a person's pins and saves drawn from their one or two sub-themes of the topic. */
const TASTE = 0.8;
/** Share of follows (of people and of boards) drawn among people and boards sharing a topic. */
const HOMOPHILY = 0.7;
/** Share of saves made from what the people and boards one follows made or saved (a following feed). */
const SOCIAL = 0.3;

/**
 * Writes a deterministic demo world straight into the tables: people with favourite topics and, within
 * each, one or two sub-themes (taste clusters: a few of the topic's nouns), boards per topic (a few
 * secret), pins whose titles and descriptions come from their topic's vocabulary and whose images are
 * real processed images in the topic's colours, each original its own picture (up to PICTURES_PER_TOPIC
 * per topic). Follows of people and boards are drawn from Zipf laws
 * (heavy-tailed), mostly among people sharing a topic (homophily). Saves go into the saver's board of the
 * pin's topic: some are of pins the people and boards they follow made or saved lately (social
 * influence), the rest of popular pins (a Zipf law), mostly of their sub-themes. The first person is `demo`.
 */
export async function seedWorld(
  deps: {
    db: Db;
    ids: IdGenerator;
    blobs: BlobStore;
    log: Logger;
    limits: { imageMaxBytes: number; imageMaxPixels: number };
  },
  opts: SeedOptions,
): Promise<SeedSummary> {
  const { db, ids, log } = deps;
  const rng = new Random(opts.seed);
  const userCount = Math.max(12, Math.ceil(opts.pins / 25));
  const originalsTarget = Math.ceil(opts.pins * 0.65);
  const savesTarget = opts.pins - originalsTarget;

  // People and their topics.
  const userIds = await ids.many('user', userCount);
  const passwordHash = await hashPassword(opts.password);
  const userTopics = userIds.map(() => rng.sample(TOPICS, 1 + rng.int(3)));
  // Per person and topic, the sub-themes they favour (one, or two about a third of the time), some
  // sub-themes far more often than others (a Zipf law: tastes are heavy-tailed too).
  const themeZipf = new Zipf(SUB_THEMES, 1.0);
  const taste = userTopics.map((topics) => {
    const m = new Map<string, number[]>();
    for (const t of topics) {
      const first = themeZipf.draw(rng);
      const second = themeZipf.draw(rng);
      m.set(t.name, rng.chance(0.35) && second !== first ? [first, second] : [first]);
    }
    return m;
  });
  const usernames = userIds.map((_, i) => (i === 0 ? 'demo' : `${rng.pick(FIRST_NAMES)}_${i}`));
  const start = Date.now() - 90 * 24 * 3600 * 1000;
  await insertBatched(
    userIds.map((id, i) => ({
      id,
      username: usernames[i]!,
      email: `${usernames[i]}@demo.corkboard.invalid`,
      email_sha256: emailSha256(`${usernames[i]}@demo.corkboard.invalid`),
      password_hash: passwordHash,
      about: `Into ${userTopics[i]!.map((t) => t.name).join(', ')}.`,
      created_at: new Date(start + i * 1000),
    })),
    (batch) => db.insertInto('users').values(batch).execute(),
  );

  // Boards: one or two per favourite topic; about one in twenty secret.
  const planned: Omit<PlannedBoard, 'id'>[] = [];
  userTopics.forEach((topics, ownerIndex) => {
    for (const topic of topics) {
      for (const name of rng.sample(topic.boardNames, 1 + rng.int(2))) {
        planned.push({ ownerIndex, topic, name, privacy: rng.chance(0.05) ? 'SECRET' : 'PUBLIC' });
      }
    }
  });
  const boardIds = await ids.many('board', planned.length);
  const boards: PlannedBoard[] = planned.map((b, i) => ({ ...b, id: boardIds[i]! }));
  await insertBatched(
    boards.map((b) => ({
      id: b.id,
      owner_id: userIds[b.ownerIndex]!,
      name: b.name,
      description: `${capitalise(b.topic.name)} ideas collected by ${usernames[b.ownerIndex]}.`,
      privacy: b.privacy,
    })),
    (batch) => db.insertInto('boards').values(batch).execute(),
  );

  skipRetiredPictureDraws(rng, originalsTarget);

  // Original pins: creators by a Zipf law (a few post a lot), boards of the creator.
  const creatorZipf = new Zipf(userCount, 0.9);
  const boardsByOwner = new Map<number, PlannedBoard[]>();
  for (const b of boards) add(boardsByOwner, b.ownerIndex, b);
  type PinPlan = {
    board: PlannedBoard;
    ownerIndex: number;
    title: string;
    description: string;
    /** The picture it shows: index `picture` of topic `pictureTopic` (a save keeps its original's). */
    pictureTopic: string;
    picture: number;
    parent: number | null;
    /** The sub-theme of its topic (the noun's). */
    theme: number;
  };
  const plans: PinPlan[] = [];
  const originalsByTopic = new Map<string, number>();
  for (let i = 0; i < originalsTarget; i++) {
    const ownerIndex = creatorZipf.draw(rng);
    const board = rng.pick(boardsByOwner.get(ownerIndex)!);
    const t = board.topic;
    const noun = rng.pick(t.nouns.filter(themeFilter(taste[ownerIndex]!.get(t.name)!, rng.chance(TASTE))));
    const adjective = rng.pick(t.adjectives);
    const made = originalsByTopic.get(t.name) ?? 0;
    originalsByTopic.set(t.name, made + 1);
    plans.push({
      board,
      ownerIndex,
      title: capitalise(`${adjective} ${noun}`),
      description: `A ${adjective} ${noun} idea for ${board.name.toLowerCase()}: ${rng.pick(t.adjectives)}, ${rng.pick(t.adjectives)} and ${rng.pick(t.nouns)}.`,
      pictureTopic: t.name,
      picture: made % PICTURES_PER_TOPIC,
      parent: null,
      theme: t.nouns.indexOf(noun) % SUB_THEMES,
    });
    rng.next(); // (retired: the pin's pick from its topic's shared pictures; see skipRetiredPictureDraws)
  }
  // Each original pin its own picture (varied in structure, so related pins are not near-duplicates).
  const pictureCounts = new Map(
    [...originalsByTopic].map(([name, n]) => [name, Math.min(n, PICTURES_PER_TOPIC)]),
  );
  const imageCount = [...pictureCounts.values()].reduce((a, b) => a + b, 0);
  log.info({ images: imageCount }, 'seed: making images');
  const images = await seedImages(db, deps.blobs, ids, TOPICS, pictureCounts, deps.limits);

  // Follows: each person follows a few, chosen by a Zipf law over people, so followers are heavy-tailed.
  // Most are of people sharing one of their topics (by a Zipf law within the topic, so the same people
  // lead), the rest of anyone.
  const followeeZipf = new Zipf(userCount, 1.0);
  const usersByTopic = new Map<string, number[]>();
  userTopics.forEach((topics, i) => {
    for (const t of topics) add(usersByTopic, t.name, i);
  });
  const topicZipf = new Map([...usersByTopic].map(([name, list]) => [name, new Zipf(list.length, 1.0)]));
  const follows = new Set<string>();
  const followees: number[][] = userIds.map(() => []);
  userIds.forEach((_, i) => {
    const k = 1 + Math.floor(rng.next() ** 2 * 12);
    for (let j = 0; j < k; j++) {
      let f: number;
      if (rng.chance(HOMOPHILY)) {
        const t = rng.pick(userTopics[i]!).name;
        f = usersByTopic.get(t)![topicZipf.get(t)!.draw(rng)]!;
      } else f = followeeZipf.draw(rng);
      if (f !== i && !follows.has(`${i}:${f}`)) {
        follows.add(`${i}:${f}`);
        followees[i]!.push(f);
      }
    }
  });
  await insertBatched(
    [...follows].map((key) => {
      const [a, b] = key.split(':').map(Number) as [number, number];
      return { follower_id: userIds[a]!, followee_id: userIds[b]! };
    }),
    (batch) => db.insertInto('follows').values(batch).execute(),
  );
  const publicBoards = boards.filter((b) => b.privacy === 'PUBLIC');
  const boardZipf = new Zipf(publicBoards.length, 1.0);
  const boardsByTopic = new Map<string, PlannedBoard[]>();
  for (const b of publicBoards) add(boardsByTopic, b.topic.name, b);
  const boardTopicZipf = new Map(
    [...boardsByTopic].map(([name, list]) => [name, new Zipf(list.length, 1.0)]),
  );
  const boardFollows = new Set<string>();
  const followedBoards: PlannedBoard[][] = userIds.map(() => []);
  if (publicBoards.length > 0)
    userIds.forEach((_, i) => {
      for (let j = rng.int(4); j > 0; j--) {
        const t = rng.pick(userTopics[i]!).name;
        const b =
          rng.chance(HOMOPHILY) && boardsByTopic.has(t)
            ? boardsByTopic.get(t)![boardTopicZipf.get(t)!.draw(rng)]!
            : publicBoards[boardZipf.draw(rng)]!;
        if (b.ownerIndex !== i && !boardFollows.has(`${i}:${b.id}`)) {
          boardFollows.add(`${i}:${b.id}`);
          followedBoards[i]!.push(b);
        }
      }
    });
  await insertBatched(
    [...boardFollows].map((key) => {
      const [u, b] = key.split(':') as [string, string];
      return { user_id: userIds[Number(u)]!, board_id: b };
    }),
    (batch) => db.insertInto('board_follows').values(batch).execute(),
  );

  // Saves into the saver's boards of the pin's topic. Some are social: a pin that someone they follow
  // made or saved, or that a board they follow holds, the recent ones likelier (what a following feed
  // shows). The rest are popular pins of the topic, by a Zipf law, mostly of the saver's sub-themes.
  const publicByTopic = new Map<string, number[]>();
  const publicByTheme = new Map<string, number[]>();
  // What each person made or saved, and each board holds, on public boards, by topic: originals now,
  // saves as they are made (canonical pins: saves point at the original).
  const madeBy = new Map<string, number[]>();
  const onBoard = new Map<string, number[]>();
  plans.forEach((p, i) => {
    if (p.board.privacy === 'SECRET') return;
    add(publicByTopic, p.board.topic.name, i);
    add(publicByTheme, `${p.board.topic.name}:${p.theme}`, i);
    add(madeBy, `${p.ownerIndex}:${p.board.topic.name}`, i);
    add(onBoard, p.board.id, i);
  });
  const zipfOf = (m: Map<string, number[]>) =>
    new Map([...m].map(([key, list]) => [key, { list, zipf: new Zipf(list.length, 1.05) }]));
  const byTopic = zipfOf(publicByTopic);
  const byTheme = zipfOf(publicByTheme);
  const popular = (p: { list: number[]; zipf: Zipf } | undefined): number | undefined =>
    p?.list.length ? p.list[p.zipf.draw(rng)] : undefined;
  const recent = (list: number[] | undefined): number | undefined =>
    list?.length ? list[list.length - 1 - Math.floor(list.length * rng.next() ** 3)] : undefined;
  const social = (saver: number, topic: string): number | undefined => {
    const people = followees[saver]!;
    const followed = followedBoards[saver]!.filter((b) => b.topic.name === topic);
    const n = people.length + followed.length;
    for (let tries = 0; tries < 3 && n > 0; tries++) {
      const k = rng.int(n);
      const found =
        k < people.length
          ? recent(madeBy.get(`${people[k]}:${topic}`))
          : recent(onBoard.get(followed[k - people.length]!.id));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const saved = new Set<string>();
  for (let attempts = 0, made = 0; made < savesTarget && attempts < savesTarget * 4; attempts++) {
    const saver = rng.int(userCount);
    const board = rng.pick(boardsByOwner.get(saver)!);
    const topic = board.topic.name;
    let parent = rng.chance(SOCIAL) ? social(saver, topic) : undefined;
    if (parent === undefined) {
      const mine = taste[saver]!.get(topic)!;
      if (rng.chance(TASTE)) parent = popular(byTheme.get(`${topic}:${rng.pick(mine)}`));
      parent ??= popular(byTopic.get(topic));
    }
    if (parent === undefined) continue;
    const source = plans[parent]!;
    if (source.ownerIndex === saver || saved.has(`${parent}:${board.id}`)) continue;
    saved.add(`${parent}:${board.id}`);
    plans.push({ ...source, board, ownerIndex: saver, parent });
    if (board.privacy !== 'SECRET') {
      add(madeBy, `${saver}:${topic}`, parent);
      add(onBoard, board.id, parent);
    }
    made++;
  }

  // Interleave creation times so saves come after their originals.
  const pinIds = await ids.many('pin', plans.length);
  const span = 90 * 24 * 3600 * 1000;
  await insertBatched(
    plans.map((p, i) => ({
      id: pinIds[i]!,
      owner_id: userIds[p.ownerIndex]!,
      board_id: p.board.id,
      parent_pin_id: p.parent === null ? null : pinIds[p.parent]!,
      title: p.title,
      description: p.description,
      alt_text: p.title,
      link: `https://example.org/${p.board.topic.name}/${i}`,
      created_at: new Date(start + (span * (i + 1)) / (plans.length + 1)),
    })),
    (batch) => db.insertInto('pins').values(batch).execute(),
  );
  await insertBatched(
    plans.map((p, i) => ({
      pin_id: pinIds[i]!,
      position: 0,
      image_id: images.get(p.pictureTopic)![p.picture]!,
    })),
    (batch) => db.insertInto('pin_images').values(batch).execute(),
  );

  // A few advertisers promote an original pin each in the demo person's topics (at most three).
  const promotions: DemoPromotion[] = [];
  const promoters = new Set<number>();
  for (const topic of userTopics[0]!) {
    const i = plans.findIndex(
      (p, k) =>
        k < originalsTarget &&
        p.board.topic.name === topic.name &&
        p.board.privacy === 'PUBLIC' &&
        p.ownerIndex !== 0 &&
        !promoters.has(p.ownerIndex),
    );
    if (i < 0) continue;
    promoters.add(plans[i]!.ownerIndex);
    promotions.push({ ownerId: userIds[plans[i]!.ownerIndex]!, pinId: pinIds[i]!, topic: topic.name });
  }
  const advertisers = await seedAdvertisers(db, ids, promotions.slice(0, 3));

  // Fresh statistics, so the planner knows the tables are big (autovacuum may not have run yet).
  await sql`analyze users, boards, board_sections, pins, pin_images, images, follows, board_follows`.execute(
    db,
  );

  return {
    users: userCount,
    boards: boards.length,
    secretBoards: boards.filter((b) => b.privacy === 'SECRET').length,
    pins: plans.length,
    saves: plans.length - originalsTarget,
    follows: follows.size,
    boardFollows: boardFollows.size,
    images: imageCount,
    advertisers,
    demoUserId: userIds[0]!,
  };
}

/**
 * Takes the draws the retired shared picture pool took here (a few pictures per topic, drawn from the
 * world's PRNG; pictures now follow from (topic, index) alone), so a seed still makes the same people,
 * boards, pins, follows and saves as before and figures measured on seeded worlds stay comparable.
 */
function skipRetiredPictureDraws(rng: Random, originals: number): void {
  const perTopic = Math.min(40, Math.max(2, Math.ceil(originals / (TOPICS.length * 8))));
  // Per picture: height, background, two for the ink, three for the shape's place and size, and one
  // more for the rotation of every fifth (a square).
  for (let i = 0; i < perTopic * TOPICS.length; i++) {
    for (let k = (i % perTopic) % 5 === 1 ? 8 : 7; k > 0; k--) rng.next();
  }
}

/** Whether the database has no people yet (a fresh install the demo world may fill). */
export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
