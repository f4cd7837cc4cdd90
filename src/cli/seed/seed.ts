import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Privacy } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import type { Logger } from '../../platform/logger.js';
import { hashPassword } from '../../platform/secrets-hash.js';
import { seedImages } from './images.js';
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

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Writes a deterministic demo world straight into the tables: people with favourite topics, boards per
 * topic (a few secret), pins whose titles and descriptions come from their topic's vocabulary and whose
 * images are real processed images in the topic's colours, then saves and follows drawn from Zipf laws
 * so popularity is heavy-tailed. The first person is `demo`.
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
  const usernames = userIds.map((_, i) => (i === 0 ? 'demo' : `${rng.pick(FIRST_NAMES)}_${i}`));
  const start = Date.now() - 90 * 24 * 3600 * 1000;
  await insertBatched(
    userIds.map((id, i) => ({
      id,
      username: usernames[i]!,
      email: `${usernames[i]}@demo.corkboard.invalid`,
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

  const perTopic = Math.min(40, Math.max(2, Math.ceil(originalsTarget / (TOPICS.length * 8))));
  log.info({ images: perTopic * TOPICS.length }, 'seed: making images');
  const images = await seedImages(db, deps.blobs, ids, TOPICS, perTopic, rng, deps.limits);

  // Original pins: creators by a Zipf law (a few post a lot), boards of the creator.
  const creatorZipf = new Zipf(userCount, 0.9);
  const boardsByOwner = new Map<number, PlannedBoard[]>();
  for (const b of boards) boardsByOwner.set(b.ownerIndex, [...(boardsByOwner.get(b.ownerIndex) ?? []), b]);
  type PinPlan = {
    board: PlannedBoard;
    ownerIndex: number;
    title: string;
    description: string;
    imageId: string;
    parent: number | null;
  };
  const plans: PinPlan[] = [];
  for (let i = 0; i < originalsTarget; i++) {
    const ownerIndex = creatorZipf.draw(rng);
    const board = rng.pick(boardsByOwner.get(ownerIndex)!);
    const t = board.topic;
    const noun = rng.pick(t.nouns);
    const adjective = rng.pick(t.adjectives);
    plans.push({
      board,
      ownerIndex,
      title: capitalise(`${adjective} ${noun}`),
      description: `A ${adjective} ${noun} idea for ${board.name.toLowerCase()}: ${rng.pick(t.adjectives)}, ${rng.pick(t.adjectives)} and ${rng.pick(t.nouns)}.`,
      imageId: rng.pick(images.get(t.name)!),
      parent: null,
    });
  }
  // Saves: people save popular public pins of their topics into their own boards of that topic.
  const publicByTopic = new Map<string, number[]>();
  plans.forEach((p, i) => {
    if (p.board.privacy !== 'SECRET')
      publicByTopic.set(p.board.topic.name, [...(publicByTopic.get(p.board.topic.name) ?? []), i]);
  });
  const popularity = new Map([...publicByTopic].map(([name, list]) => [name, new Zipf(list.length, 1.05)]));
  const saved = new Set<string>();
  for (let attempts = 0, made = 0; made < savesTarget && attempts < savesTarget * 4; attempts++) {
    const saver = rng.int(userCount);
    const board = rng.pick(boardsByOwner.get(saver)!);
    const candidates = publicByTopic.get(board.topic.name);
    if (!candidates?.length) continue;
    const parent = candidates[popularity.get(board.topic.name)!.draw(rng)]!;
    const source = plans[parent]!;
    if (source.ownerIndex === saver || saved.has(`${parent}:${board.id}`)) continue;
    saved.add(`${parent}:${board.id}`);
    plans.push({ ...source, board, ownerIndex: saver, parent });
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
    plans.map((p, i) => ({ pin_id: pinIds[i]!, position: 0, image_id: p.imageId })),
    (batch) => db.insertInto('pin_images').values(batch).execute(),
  );

  // Follows: each person follows a few, chosen by a Zipf law over people, so followers are heavy-tailed.
  const followeeZipf = new Zipf(userCount, 1.0);
  const follows = new Set<string>();
  userIds.forEach((_, i) => {
    const k = 1 + Math.floor(rng.next() ** 2 * 12);
    for (let j = 0; j < k; j++) {
      const f = followeeZipf.draw(rng);
      if (f !== i) follows.add(`${i}:${f}`);
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
  const boardFollows = new Set<string>();
  if (publicBoards.length > 0)
    userIds.forEach((_, i) => {
      for (let j = rng.int(4); j > 0; j--) {
        const b = publicBoards[boardZipf.draw(rng)]!;
        if (b.ownerIndex !== i) boardFollows.add(`${i}:${b.id}`);
      }
    });
  await insertBatched(
    [...boardFollows].map((key) => {
      const [u, b] = key.split(':') as [string, string];
      return { user_id: userIds[Number(u)]!, board_id: b };
    }),
    (batch) => db.insertInto('board_follows').values(batch).execute(),
  );

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
    images: perTopic * TOPICS.length,
    demoUserId: userIds[0]!,
  };
}

/** Whether the database has no people yet (a fresh install the demo world may fill). */
export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
