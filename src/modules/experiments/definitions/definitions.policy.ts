import type { Db } from '../../../platform/db/database.js';
import { Forbidden } from '../../../platform/errors.js';
import type { Actor } from './definitions.service.js';

/**
 * Who may use the experiments API: the instance's operators, named by user id or username in
 * `EXPERIMENT_ADMINS`. An experiment changes what every person sees, so neither scope is enough on its
 * own: a token must carry the scope and belong to an operator. The CLI, run on the server, needs neither.
 */
export class ExperimentOperators {
  private readonly ids: ReadonlySet<string>;
  private readonly names: ReadonlySet<string>;

  constructor(
    private readonly db: Db,
    admins: readonly string[],
  ) {
    this.ids = new Set(admins.filter((a) => /^\d+$/.test(a)));
    this.names = new Set(admins.filter((a) => !/^\d+$/.test(a)).map((a) => a.toLowerCase()));
  }

  /** The audit actor of `userId` if they are an operator; Forbidden otherwise. */
  async require(userId: string): Promise<Actor> {
    if (this.ids.has(userId)) return `user:${userId}`;
    if (this.names.size > 0) {
      const user = await this.db
        .selectFrom('users')
        .select('username')
        .where('id', '=', userId)
        .executeTakeFirst();
      if (user && this.names.has(user.username.toLowerCase())) return `user:${userId}`;
    }
    throw new Forbidden('Not authorized: only the operators named in EXPERIMENT_ADMINS may use experiments.');
  }
}
