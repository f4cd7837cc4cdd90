import type { Db } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { Conflict, Invalid, NotFound } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { FailureThrottle } from '../../platform/rate-limit/failure-throttle.js';
import { hashPassword, verifyPassword } from '../../platform/secrets-hash.js';
import { secretScope } from '../boards/index.js';
import { type AccountCounts, accountsRepository as repo, type UserRow } from './accounts.repository.js';
import { ageBucket, checkDemographics, type Demographics } from './demographics.js';
import { signInPlan, signUpPlan } from './sign-in-budgets.js';

export type User = Omit<UserRow, 'password_hash'>;

export interface SignUp {
  username: string;
  email: string;
  password: string;
}

const USERNAME = /^[A-Za-z0-9_]{3,30}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;

function publicUser({ password_hash: _, ...user }: UserRow): User {
  return user;
}

/** People: sign-up, sign-in and the account view. */
export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly throttle: FailureThrottle,
  ) {}

  /**
   * Creates a person; the password is stored as a slow salted hash. With `ip` (the sign-up form), every
   * attempt from that address counts against SIGN_UP_BUDGET first: RateLimited when it is spent.
   */
  async signUp(input: SignUp, ip?: string): Promise<User> {
    if (ip === undefined) return this.create(input);
    return this.throttle.attempt(
      signUpPlan(ip),
      () => this.create(input),
      () => true,
    );
  }

  private async create(input: SignUp): Promise<User> {
    const username = input.username.trim();
    const email = input.email.trim();
    if (!USERNAME.test(username)) {
      throw new Invalid('Username must be 3 to 30 letters, digits or underscores.');
    }
    if (!EMAIL.test(email)) throw new Invalid('Email address is not valid.');
    if (input.password.length < 8 || input.password.length > 256) {
      throw new Invalid('Password must be 8 to 256 characters.');
    }
    const id = await this.ids.next('user');
    const password_hash = await hashPassword(input.password);
    try {
      await repo.insert(this.db, { id, username, email, password_hash });
    } catch (err) {
      if (isUniqueViolation(err, 'users_username_key')) throw new Conflict('That username is taken.');
      if (isUniqueViolation(err, 'users_email_key'))
        throw new Conflict('That email address is already registered.');
      throw err;
    }
    return publicUser((await repo.byId(this.db, id))!);
  }

  /**
   * The person with this username or email and password, or undefined. Takes the same time either way.
   * Failures from `ip` are throttled before any hash is computed: RateLimited when a budget is spent.
   */
  async signIn(login: string, password: string, ip: string): Promise<User | undefined> {
    const trimmed = login.trim();
    const row = await repo.byLogin(this.db, trimmed);
    // An unknown login is throttled like an account, so refusals do not tell which logins exist.
    const subject = row ? `user:${row.id}` : `login:${encodeURIComponent(trimmed.toLowerCase())}`;
    return this.throttle.attempt(
      signInPlan(subject, ip),
      async () => {
        // Hash even for an unknown login, so timing does not tell which logins exist.
        const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
        return row && ok ? publicUser(row) : undefined;
      },
      (user) => user === undefined,
    );
  }

  async byId(id: string): Promise<User | undefined> {
    const row = await repo.byId(this.db, id);
    return row && publicUser(row);
  }

  async byUsername(username: string): Promise<User | undefined> {
    const row = await repo.byUsername(this.db, username);
    return row && publicUser(row);
  }

  /**
   * The account as `viewerId` sees it, counts included. Its owner's counts include secret boards and
   * their pins, as the owner's lists do: only with boards:read_secret and pins:read_secret among
   * `scopes` (the viewer's token), or, when `scopes` is omitted (in-process readers), always.
   */
  async account(
    userId: string,
    viewerId: string,
    scopes?: ReadonlySet<string>,
  ): Promise<User & AccountCounts> {
    const user = await this.byId(userId);
    if (!user) throw new NotFound('User not found.', 30);
    const own = userId === viewerId;
    const may = (scope: string) => own && (scopes === undefined || scopes.has(scope));
    const secret = { boards: may(secretScope('boards')), pins: may(secretScope('pins')) };
    return { ...user, ...(await repo.counts(this.db, userId, secret)) };
  }

  /** GET /v5/user_account/demographics: what the person told of themselves, with the age bucket it gives. */
  async demographics(userId: string, now: Date = new Date()) {
    const row = await this.db
      .selectFrom('users')
      .select(['locale', 'country', 'gender', 'birth_year'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row) throw new NotFound('User not found.', 30);
    return { ...row, age_bucket: ageBucket(row.birth_year, now) };
  }

  /** PATCH /v5/user_account/demographics: sets the fields given (null clears one). */
  async setDemographics(userId: string, patch: Partial<Demographics>) {
    const changes = checkDemographics(patch);
    if (Object.keys(changes).length > 0)
      await this.db.updateTable('users').set(changes).where('id', '=', userId).execute();
    return this.demographics(userId);
  }
}

// A valid hash of a random password, verified against when the login does not exist.
const DUMMY_HASH = 'scrypt$16384$8$1$3q2-7w$ZxQ3CUNl7h8l0KqAhGvd6hV9S2zR6c3j8pH0wq1mXQk';
