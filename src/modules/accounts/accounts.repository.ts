import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { listedBoard } from '../boards/index.js';
import { emailSha256 } from './email-hash.js';

export type UserRow = {
  id: string;
  username: string;
  email: string;
  password_hash: string;
  about: string;
  website_url: string;
  profile_image: string;
  account_type: 'PINNER' | 'BUSINESS';
  business_name: string | null;
  created_at: Date;
};

export interface AccountCounts {
  board_count: number;
  pin_count: number;
  follower_count: number;
  following_count: number;
}

/** Reads and writes users. */
export const accountsRepository = {
  async insert(
    db: Db,
    user: Omit<
      UserRow,
      'created_at' | 'about' | 'website_url' | 'profile_image' | 'account_type' | 'business_name'
    >,
  ) {
    await db
      .insertInto('users')
      .values({ ...user, email_sha256: emailSha256(user.email) })
      .execute();
  },

  byId(db: Db, id: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  byUsername(db: Db, username: string): Promise<UserRow | undefined> {
    return db
      .selectFrom('users')
      .selectAll()
      .where(sql`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();
  },

  byLogin(db: Db, login: string): Promise<UserRow | undefined> {
    const l = login.toLowerCase();
    return db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb(sql`lower(username)`, '=', l), eb(sql`lower(email)`, '=', l)]))
      .executeTakeFirst();
  },

  /**
   * Counts as the viewer may see them: secret boards, and pins on secret boards, are counted only when
   * `secret` says the viewer may list them (their owner, with the secret scopes).
   */
  async counts(db: Db, userId: string, secret: { boards: boolean; pins: boolean }): Promise<AccountCounts> {
    const { rows } = await sql<{ boards: string; pins: string; followers: string; following: string }>`
      select
        (select count(*) from boards b
          where b.owner_id = ${userId} and ${listedBoard('b', { secret: secret.boards })})::text as boards,
        (select count(*) from pins p join boards b on b.id = p.board_id
          where p.owner_id = ${userId} and ${listedBoard('b', { secret: secret.pins })})::text as pins,
        (select count(*) from follows f where f.followee_id = ${userId})::text as followers,
        (select count(*) from follows f where f.follower_id = ${userId})::text as following
    `.execute(db);
    const r = rows[0]!;
    return {
      board_count: Number(r.boards),
      pin_count: Number(r.pins),
      follower_count: Number(r.followers),
      following_count: Number(r.following),
    };
  },
};
