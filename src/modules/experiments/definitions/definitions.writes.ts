import { randomBytes } from 'node:crypto';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../../platform/db/errors.js';
import { Conflict, Invalid } from '../../../platform/errors.js';
import { definitionsRepository as repo, type Subject } from './definitions.repository.js';

/** Who made a change, as the audit log records it: `user:<id>` (the API) or `cli:<name>`. */
export type Actor = string;

export interface DefinitionsDeps {
  readonly db: Db;
  readonly bookmarks: Bookmarks;
  /** A fresh salt (random by default; tests may pin it). */
  readonly salt?: () => string;
  readonly now?: () => number;
  /** How long serving code may use the compiled definitions before checking for changes (ms). */
  readonly refreshMs?: number;
}

export const json = (v: unknown) => JSON.stringify(v);

/** Problems the assignment engine found: a 400 listing them. */
export function refuse(problems: readonly string[]): void {
  if (problems.length > 0) throw new Invalid(problems.join('; '));
}

/** What the experiment and flag services share: transactions, salts, the clock, pages and the audit log. */
export class DefinitionWrites {
  constructor(
    readonly deps: DefinitionsDeps,
    /** Called after every write, committed or not (the serving cache reloads). */
    private readonly written: () => void,
  ) {}

  get db(): Db {
    return this.deps.db;
  }

  now(): Date {
    return new Date(this.deps.now?.() ?? Date.now());
  }

  newSalt(): string {
    return this.deps.salt?.() ?? randomBytes(12).toString('hex');
  }

  async transaction<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(work);
    } catch (err) {
      // Two writers racing past the existence checks: the constraints decide, the loser hears why.
      if (isUniqueViolation(err)) throw new Conflict('A definition with this key was created meanwhile.');
      if (isForeignKeyViolation(err)) throw new Conflict('The layer changed meanwhile; try again.');
      throw err;
    } finally {
      this.written();
    }
  }

  /** A list page by key: where to start after `bookmark`, and how to build the answer. */
  page<T extends { key: string }, I>(scope: string, bookmark: string | undefined) {
    const after = bookmark ? String(this.deps.bookmarks.decode(scope, bookmark)[0]) : undefined;
    return {
      after,
      build: (rows: T[], size: number, map: (r: T) => I) =>
        this.deps.bookmarks.page(scope, rows, size, (last) => [last.key], map),
    };
  }

  /** Appends the audit entry of a change, in the change's transaction. */
  async audit(
    trx: Db,
    entry: {
      subject: Subject;
      key: string;
      action: string;
      actor: Actor;
      before: unknown;
      after: unknown;
      notes?: readonly string[];
    },
  ): Promise<void> {
    await repo.appendAudit(trx, {
      subject: entry.subject,
      subject_key: entry.key,
      action: entry.action,
      actor: entry.actor,
      before: entry.before === null ? null : json(entry.before),
      after: entry.after === null ? null : json(entry.after),
      notes: json(entry.notes ?? []),
    });
  }
}
