import type { Static } from 'typebox';
import { CONVERSION_SCOPE } from '../../../http/auth.js';
import type { Db } from '../../../platform/db/database.js';
import { Forbidden, Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { Principal } from '../../../platform/principal.js';
import type { OAuthService } from '../../oauth/index.js';
import { emit } from '../../topics.js';
import type { AdAccess } from '../ad-access.js';
import { type ConversionRecord, checkConversionEvent } from './conversion-event.js';
import { type ConversionTagRow, conversionsRepository as repo } from './conversions.repository.js';
import type { ConversionEvents, ConversionTagCreate } from './conversions.schemas.js';

/** A conversion token bound to one ad account carries this scope beside CONVERSION_SCOPE. */
const boundTo = (accountId: string) => `ad_account:${accountId}`;

/** Conversion tags one ad account may have. */
export const MAX_CONVERSION_TAGS = 100;

export interface ConversionsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly access: AdAccess;
  readonly oauth: Pick<OAuthService, 'conversionToken'>;
  readonly publicUrl: string;
  /** Wakes the outbox relay after a batch that announced conversions for attribution has committed. */
  readonly eventsCommitted: () => void;
  readonly now?: () => number;
}

type EventOutcome = {
  status: 'failed' | 'processed';
  error_message: string | null;
  warning_message: string | null;
};

/**
 * Conversions: the token that sends them, the events themselves (POST /v5/ad_accounts/{id}/events) and
 * conversion tags. Events keep hashed user data only and are matched to people by their e-mail hash.
 */
export class ConversionsService {
  constructor(private readonly deps: ConversionsDeps) {}

  /** POST /v5/oauth/conversion_token: for every account the person may send conversions for, or one. */
  async token(principal: Principal, adAccountId: string | undefined) {
    const scopes = [CONVERSION_SCOPE];
    if (adAccountId !== undefined) {
      await this.deps.access.require(principal.userId, adAccountId, 'conversions');
      scopes.push(boundTo(adAccountId));
    }
    return {
      access_token: await this.deps.oauth.conversionToken(principal, scopes),
      token_type: 'conversion' as const,
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/events: each event succeeds or fails alone. */
  async send(principal: Principal, accountId: string, body: Static<typeof ConversionEvents>, test: boolean) {
    if (principal.scopes.has(CONVERSION_SCOPE)) {
      const bound = [...principal.scopes].find((s) => s.startsWith('ad_account:'));
      if (bound && bound !== boundTo(accountId))
        throw new Forbidden('This conversion token was issued for another ad account.');
    }
    const account = await this.deps.access.require(principal.userId, accountId, 'conversions');
    const nowS = Math.floor((this.deps.now?.() ?? Date.now()) / 1000);
    const outcomes: EventOutcome[] = [];
    const accepted: { index: number; record: ConversionRecord }[] = [];
    const seen = new Set<string>();
    body.data.forEach((event, index) => {
      const checked = checkConversionEvent(event, nowS);
      if ('error' in checked) {
        outcomes.push({ status: 'failed', error_message: checked.error, warning_message: null });
        return;
      }
      const warnings: string[] = [];
      if (seen.has(checked.record.event_id)) warnings.push('event_id repeated in this batch: counted once.');
      else accepted.push({ index, record: checked.record });
      seen.add(checked.record.event_id);
      if (checked.record.currency && checked.record.currency !== account.currency)
        warnings.push(`currency ${checked.record.currency} differs from the account's ${account.currency}.`);
      outcomes.push({
        status: 'processed',
        error_message: null,
        warning_message: warnings.join(' ') || null,
      });
    });
    if (test) {
      for (const { index } of accepted) this.warn(outcomes[index]!, 'test event: checked, not recorded.');
    } else if (accepted.length > 0) {
      const emails = [...new Set(accepted.flatMap(({ record }) => record.user_hashes.em ?? []))];
      const people = await repo.usersByEmailHash(this.deps.db, emails);
      const matched = accepted.map(({ record }) => ({
        ...record,
        user_id:
          (record.user_hashes.em ?? []).map((h) => people.get(h)).find((id) => id !== undefined) ?? null,
      }));
      const fresh = await this.store(accountId, matched);
      for (const { index, record } of accepted) {
        if (!fresh.has(record.event_id))
          this.warn(outcomes[index]!, 'event_id already received: counted once.');
      }
    }
    return {
      num_events_received: body.data.length,
      num_events_processed: outcomes.filter((o) => o.status === 'processed').length,
      events: outcomes,
    };
  }

  /**
   * Stores the events not already received and, in the same transaction, announces those matched to a
   * person for attribution; answers the event ids that were new.
   */
  private async store(accountId: string, records: (ConversionRecord & { user_id: string | null })[]) {
    let announced = false;
    const fresh = await this.deps.db.transaction().execute(async (trx) => {
      const fresh = await repo.insert(trx, accountId, records);
      const eventIds = records
        .filter((r) => r.user_id !== null && fresh.has(r.event_id))
        .map((r) => r.event_id);
      if (eventIds.length > 0) {
        await emit(trx, 'ads.conversions.received', { adAccountId: accountId, eventIds });
        announced = true;
      }
      return fresh;
    });
    if (announced) this.deps.eventsCommitted();
    return fresh;
  }

  /** GET /v5/ad_accounts/{ad_account_id}/conversion_tags. */
  async tags(userId: string, accountId: string, filterDeleted: boolean) {
    await this.deps.access.require(userId, accountId, 'read');
    const rows = await repo.tags(this.deps.db, accountId, !filterDeleted);
    return { items: rows.map((r) => this.presentTag(r)) };
  }

  /** GET /v5/ad_accounts/{ad_account_id}/conversion_tags/{conversion_tag_id}. */
  async tag(userId: string, accountId: string, tagId: string) {
    await this.deps.access.require(userId, accountId, 'read');
    const row = await repo.tag(this.deps.db, accountId, tagId);
    if (!row) throw new NotFound('Conversion tag not found.');
    return this.presentTag(row);
  }

  /** POST /v5/ad_accounts/{ad_account_id}/conversion_tags. */
  async createTag(userId: string, accountId: string, body: Static<typeof ConversionTagCreate>) {
    await this.deps.access.require(userId, accountId, 'manage');
    const name = body.name.trim();
    if (!name) throw new Invalid('name: a conversion tag needs a name.');
    const { name: _name, ...settings } = body;
    const configs = {
      aem_enabled: false,
      md_frequency: 1,
      aem_fnln_enabled: false,
      aem_ph_enabled: false,
      aem_ge_enabled: false,
      aem_db_enabled: false,
      aem_loc_enabled: false,
      aem_external_id_enabled: false,
      ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null && v !== undefined)),
    };
    const id = await this.deps.db.transaction().execute(async (trx) => {
      await trx.selectFrom('ad_accounts').select('id').where('id', '=', accountId).forUpdate().execute();
      if ((await repo.countTags(trx, accountId)) >= MAX_CONVERSION_TAGS)
        throw new Invalid(`An ad account has at most ${MAX_CONVERSION_TAGS} conversion tags.`);
      const id = await this.deps.ids.next('conversionTag', trx);
      await repo.insertTag(trx, { id, ad_account_id: accountId, name, configs });
      return id;
    });
    return this.tag(userId, accountId, id);
  }

  private presentTag(row: ConversionTagRow) {
    const endpoint = `${this.deps.publicUrl}/v5/ad_accounts/${row.ad_account_id}/events`;
    return {
      id: row.id,
      ad_account_id: row.ad_account_id,
      name: row.name,
      status: row.status,
      code_snippet: `<!-- Corkboard conversion tag ${row.id} (${row.name}): send web events from your server to POST ${endpoint} with action_source "web" and a conversion token. -->`,
      configs: row.configs as Record<string, unknown>,
      enhanced_match_status: null,
      last_fired_time_ms: row.last_fired_at ? new Date(row.last_fired_at).getTime() : null,
      version: '3',
    };
  }

  private warn(outcome: EventOutcome, message: string): void {
    outcome.warning_message = outcome.warning_message ? `${outcome.warning_message} ${message}` : message;
  }
}
