import type { Static } from 'typebox';
import type { Db } from '../../../platform/db/database.js';
import { Conflict, NotFound } from '../../../platform/errors.js';
import { flagProblems } from '../assignment/index.js';
import {
  type FlagRecord,
  flagOf,
  paramFromApi,
  presentFlag,
  targetingFromApi,
} from './definitions.presenter.js';
import { type FlagRow, definitionsRepository as repo } from './definitions.repository.js';
import type { FlagCreate, FlagUpdate } from './definitions.schemas.js';
import { type Actor, type DefinitionWrites, json, refuse } from './definitions.writes.js';

/**
 * Feature flags: a value rolled out to a share of people against a default, outside the layers. Every
 * write is checked by the engine's flagProblems and appends its audit entry in the same transaction.
 */
export class FlagsService {
  constructor(private readonly w: DefinitionWrites) {}

  async listFlags(q: { bookmark?: string; page_size?: number }) {
    const size = q.page_size ?? 25;
    const p = this.w.page<FlagRow, ReturnType<typeof presentFlag>>('experiment-flags', q.bookmark);
    return p.build(await repo.flags(this.w.db, { after: p.after, limit: size + 1 }), size, presentFlag);
  }

  async getFlag(key: string) {
    return presentFlag(await this.flagRow(this.w.db, key));
  }

  private async flagRow(db: Db, key: string, lock = false): Promise<FlagRow> {
    const row = await repo.flag(db, key, lock);
    if (!row) throw new NotFound(`Flag ${key} not found.`);
    return row;
  }

  async createFlag(actor: Actor, body: Static<typeof FlagCreate>) {
    return this.w.transaction(async (trx) => {
      if (await repo.flag(trx, body.key)) throw new Conflict(`Flag ${body.key} already exists.`);
      const flag: FlagRecord = {
        key: body.key,
        salt: this.w.newSalt(),
        rollout: body.rollout ?? 0,
        value: paramFromApi(body.value),
        defaultValue: paramFromApi(body.default_value),
        targeting: targetingFromApi(body.targeting),
        status: 'draft',
        description: body.description ?? '',
        owner: body.owner ?? '',
      };
      return this.commitFlag(trx, actor, 'create', undefined, flag);
    });
  }

  async updateFlag(actor: Actor, key: string, body: Static<typeof FlagUpdate>) {
    return this.changeFlag(actor, key, 'update', (f) => ({
      ...f,
      ...(body.description !== undefined && { description: body.description }),
      ...(body.owner !== undefined && { owner: body.owner }),
      ...(body.rollout !== undefined && { rollout: body.rollout }),
      ...(body.value !== undefined && { value: paramFromApi(body.value) }),
      ...(body.default_value !== undefined && { defaultValue: paramFromApi(body.default_value) }),
      ...(body.targeting !== undefined && { targeting: targetingFromApi(body.targeting) }),
    }));
  }

  async startFlag(actor: Actor, key: string) {
    return this.changeFlag(actor, key, 'start', (f) => {
      if (f.status === 'running') throw new Conflict(`Flag ${key} is already running.`);
      return { ...f, status: 'running' };
    });
  }

  async stopFlag(actor: Actor, key: string) {
    return this.changeFlag(actor, key, 'stop', (f) => {
      if (f.status !== 'running') throw new Conflict(`Flag ${key} is not running.`);
      return { ...f, status: 'stopped' };
    });
  }

  async deleteFlag(actor: Actor, key: string): Promise<void> {
    await this.w.transaction(async (trx) => {
      const row = await this.flagRow(trx, key, true);
      if (row.status === 'running') throw new Conflict(`Flag ${key} is running: stop it first.`);
      await repo.deleteFlag(trx, key);
      await this.w.audit(trx, {
        subject: 'flag',
        key,
        action: 'delete',
        actor,
        before: presentFlag(row),
        after: null,
      });
    });
  }

  private async changeFlag(actor: Actor, key: string, action: string, change: (f: FlagRecord) => FlagRecord) {
    return this.w.transaction(async (trx) => {
      const row = await this.flagRow(trx, key, true);
      return this.commitFlag(trx, actor, action, row, change(flagOf(row)));
    });
  }

  private async commitFlag(
    trx: Db,
    actor: Actor,
    action: string,
    beforeRow: FlagRow | undefined,
    f: FlagRecord,
  ) {
    refuse(flagProblems(f));
    const row = await repo.saveFlag(
      trx,
      {
        key: f.key,
        description: f.description,
        owner: f.owner,
        salt: f.salt,
        rollout: f.rollout,
        value: json(f.value),
        default_value: json(f.defaultValue),
        targeting: json(f.targeting),
        status: f.status,
      },
      beforeRow !== undefined,
    );
    const shown = presentFlag(row);
    await this.w.audit(trx, {
      subject: 'flag',
      key: f.key,
      action,
      actor,
      before: beforeRow ? presentFlag(beforeRow) : null,
      after: shown,
    });
    return shown;
  }
}
