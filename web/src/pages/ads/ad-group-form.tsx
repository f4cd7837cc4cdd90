import { useEffect, useState } from 'preact/hooks';
import { type AdGroup, ads, type Campaign, type Keyword, type TargetingSpec } from '../../api/ads.js';
import { ApiError } from '../../api/client.js';
import { navigate } from '../../router.js';
import {
  AdsPage,
  billableFor,
  CheckGroup,
  dayToSeconds,
  Field,
  FormFooter,
  inCurrency,
  LoadFailed,
  Loading,
  NameField,
  ScheduleFields,
  StatusField,
  secondsToDay,
  useAccount,
  useLoad,
  utcDay,
} from './common.js';
import { currencyDecimals, microsToInput, parseMoney } from './money.js';

const MATCH_TYPES = [
  { value: 'BROAD', label: 'Broad' },
  { value: 'PHRASE', label: 'Phrase' },
  { value: 'EXACT', label: 'Exact' },
  { value: 'PHRASE_NEGATIVE', label: 'Negative phrase' },
  { value: 'EXACT_NEGATIVE', label: 'Negative exact' },
];

interface KeywordRow {
  key: number;
  id?: string;
  value: string;
  match: string;
}

export interface AdGroupDraft {
  campaignId: string;
  name: string;
  status: string;
  budgetType: string;
  budget: string;
  pacing: string;
  strategy: string;
  bid: string;
  billable: string;
  placement: string;
  start: string;
  end: string;
  interests: string[];
  locales: string[];
  countries: string[];
  ages: string[];
  genders: string[];
  audiences: string[];
  keywords: KeywordRow[];
}

type Errors = Partial<Record<keyof AdGroupDraft | 'keywords', string>>;

let keySeq = 0;
const list = (v: string[] | string | undefined) => (Array.isArray(v) ? v : []);

function draftOf(g: AdGroup | undefined, campaign: Campaign | undefined, keywords: Keyword[]): AdGroupDraft {
  const t: TargetingSpec = g?.targeting_spec ?? {};
  return {
    campaignId: g?.campaign_id ?? campaign?.id ?? '',
    name: g?.name ?? '',
    status: g?.status ?? 'ACTIVE',
    budgetType: g?.budget_type ?? 'DAILY',
    budget: microsToInput(g?.budget_in_micro_currency),
    pacing: g?.pacing_delivery_type ?? 'STANDARD',
    strategy: g?.bid_strategy_type ?? 'MAX_BID',
    bid: microsToInput(g?.bid_in_micro_currency),
    billable: g?.billable_event ?? billableFor(campaign?.objective_type),
    placement: g?.placement_group ?? 'ALL',
    start: secondsToDay(g?.start_time),
    end: secondsToDay(g?.end_time),
    interests: list(t.INTEREST),
    locales: list(t.LOCALE),
    countries: list(t.LOCATION),
    ages: list(t.AGE_BUCKET),
    genders: list(t.GENDER),
    audiences: list(t.AUDIENCE_INCLUDE),
    keywords: keywords
      .filter((k) => !k.archived)
      .map((k) => ({ key: ++keySeq, id: k.id, value: k.value, match: k.match_type ?? 'BROAD' })),
  };
}

/** Checks an ad group draft on the client and makes the API's body; the API checks the rest. */
export function checkAdGroup(
  d: AdGroupDraft,
  currency: string,
): { errors: Errors; body?: Record<string, unknown> } {
  const errors: Errors = {};
  if (!d.campaignId) errors.campaignId = 'Choose a campaign.';
  if (!d.name.trim()) errors.name = 'Give the ad group a name.';
  let budget: number | null = null;
  if (d.budgetType !== 'CBO_ADGROUP') {
    const p = parseMoney(d.budget, currency);
    if (!p.ok) errors.budget = p.error;
    else if (p.micros === 0) errors.budget = 'A budget must be more than zero.';
    else budget = p.micros;
  }
  let bid: number | null = null;
  if (d.strategy !== 'AUTOMATIC_BID') {
    const p = parseMoney(d.bid, currency);
    if (!p.ok) errors.bid = p.error;
    else if (p.micros === 0) errors.bid = 'A bid must be more than zero.';
    else bid = p.micros;
    if (
      bid !== null &&
      budget !== null &&
      d.billable === 'CLICKTHROUGH' &&
      d.budgetType === 'DAILY' &&
      bid > budget
    )
      errors.bid = 'A bid per click cannot be more than the daily budget.';
  }
  const start = d.start ? dayToSeconds(d.start) : null;
  const end = d.end ? dayToSeconds(d.end, true) : null;
  if (end !== null && d.end < utcDay()) errors.end = 'The end cannot be in the past.';
  if (start !== null && end !== null && end <= start) errors.end = 'The end must be after the start.';
  if (d.budgetType === 'LIFETIME' && end === null) errors.end = 'A lifetime budget needs an end date.';
  const words = d.keywords.filter((k) => k.value.trim());
  const seen = new Set<string>();
  for (const k of words) {
    const key = `${k.value.trim().toLowerCase()}|${k.match}`;
    if (seen.has(key)) errors.keywords = `The keyword "${k.value.trim()}" is listed twice.`;
    seen.add(key);
    if (k.value.trim().length > 200) errors.keywords = 'A keyword is at most 200 characters.';
  }
  if (d.placement === 'BROWSE' && words.some((k) => !k.match.endsWith('_NEGATIVE')))
    errors.keywords =
      'Keywords that match searches need a placement that includes search (All or Search); negatives may stay.';
  if (Object.keys(errors).length > 0) return { errors };

  const targeting: Record<string, string[]> = {};
  if (d.interests.length) targeting.INTEREST = d.interests;
  if (d.locales.length) targeting.LOCALE = d.locales;
  if (d.countries.length) targeting.LOCATION = d.countries;
  if (d.ages.length) targeting.AGE_BUCKET = d.ages;
  if (d.genders.length) targeting.GENDER = d.genders;
  if (d.audiences.length) targeting.AUDIENCE_INCLUDE = d.audiences;
  return {
    errors,
    body: {
      campaign_id: d.campaignId,
      name: d.name.trim(),
      status: d.status,
      budget_type: d.budgetType,
      budget_in_micro_currency: budget,
      pacing_delivery_type: d.pacing,
      bid_strategy_type: d.strategy,
      bid_in_micro_currency: bid,
      billable_event: d.billable,
      placement_group: d.placement,
      start_time: start,
      end_time: end,
      targeting_spec: targeting,
    },
  };
}

/** A targeting type's values as options (the API answers `{value: label}` objects). */
async function options(type: string, byName = false) {
  const rows = await ads.targetingOptions(type);
  const out = rows.flatMap((r) => Object.entries(r).map(([value, label]) => ({ value, label })));
  return byName ? out.sort((a, b) => a.label.localeCompare(b.label)) : out;
}

async function loadForm(accountId: string, adGroupId: string | undefined) {
  const [campaigns, group, keywords, audiences, interests, locales, countries, ages, genders] =
    await Promise.all([
      ads.campaigns(accountId),
      adGroupId ? ads.adGroup(accountId, adGroupId) : Promise.resolve(undefined),
      adGroupId ? ads.keywords(accountId, adGroupId) : Promise.resolve([]),
      ads.audiences(accountId).catch(() => []),
      options('INTEREST'),
      options('LOCALE'),
      options('LOCATION'),
      options('AGE_BUCKET'),
      options('GENDER'),
    ]);
  return { campaigns, group, keywords, audiences, interests, locales, countries, ages, genders };
}

/** /ads/:id/ad_groups/new?campaign_id= and /ads/:id/ad_groups/:adGroupId — create or edit an ad group. */
export function AdGroupForm(props: {
  accountId: string;
  adGroupId: string | undefined;
  campaignId: string | undefined;
}) {
  const { accountId, adGroupId } = props;
  const account = useAccount(accountId);
  const form = useLoad(`ad-group-form:${adGroupId ?? 'new'}`, () => loadForm(accountId, adGroupId));
  const [draft, setDraft] = useState<AdGroupDraft | undefined>();
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!form.data || draft) return;
    const live = form.data.campaigns.filter((c) => c.status !== 'ARCHIVED');
    const campaign =
      form.data.campaigns.find((c) => c.id === (form.data!.group?.campaign_id ?? props.campaignId)) ??
      live[0];
    setDraft(draftOf(form.data.group, campaign, form.data.keywords));
  }, [form.data]);

  const title = adGroupId ? 'Edit ad group' : 'New ad group';
  if (account.error) return <LoadFailed title={title} error={account.error} onRetry={account.reload} />;
  if (form.error) return <LoadFailed title={title} error={form.error} onRetry={form.reload} />;
  if (!account.data || !form.data || !draft) return <Loading title={title} />;
  const currency = account.data.currency;
  const data = form.data;
  const set = (patch: Partial<AdGroupDraft>) => setDraft({ ...draft, ...patch });
  const campaign = data.campaigns.find((c) => c.id === draft.campaignId);

  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = checkAdGroup(draft, currency);
    setErrors(checked.errors);
    if (!checked.body) {
      setError(null);
      // Focus the first field the check refused.
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('.ads-form [aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let id = adGroupId;
      if (adGroupId) {
        const { campaign_id: _ignored, ...rest } = checked.body;
        await ads.updateAdGroup(accountId, { id: adGroupId, ...rest });
      } else id = (await ads.createAdGroup(accountId, checked.body)).id;
      await saveKeywords(accountId, id!, draft.keywords, data.keywords);
      navigate(`/ads/${accountId}`);
    } catch (err) {
      setError(err);
      setBusy(false);
      // An ad group made before its keywords failed: edit it from now on, not create it twice.
      if (!adGroupId && err instanceof KeywordError)
        navigate(`/ads/${accountId}/ad_groups/${err.adGroupId}`, true);
    }
  };

  const decimals = currencyDecimals(currency);
  const moneyHint = decimals === 0 ? `Whole ${currency}.` : `In ${currency}, up to ${decimals} decimals.`;
  const perWhat = draft.billable === 'IMPRESSION' ? 'per 1,000 impressions' : 'per click';
  return (
    <AdsPage
      title={title}
      crumbs={[
        { href: '/ads', label: 'Ad accounts' },
        { href: `/ads/${accountId}`, label: account.data.name },
      ]}
    >
      <h1>{adGroupId ? `Edit ad group ${data.group?.name ?? ''}` : 'New ad group'}</h1>
      <form class="card ads-card ads-form" onSubmit={submit} noValidate aria-label={title}>
        <h2 class="ads-form-section">Basics</h2>
        <Field id="group-campaign" label="Campaign" error={errors.campaignId}>
          {(a) => (
            <select
              {...a}
              value={draft.campaignId}
              disabled={Boolean(adGroupId)}
              onChange={(e) => {
                const c = data.campaigns.find((x) => x.id === e.currentTarget.value);
                set({ campaignId: e.currentTarget.value, billable: billableFor(c?.objective_type) });
              }}
            >
              {!draft.campaignId && <option value="">Choose a campaign</option>}
              {data.campaigns
                .filter((c) => c.status !== 'ARCHIVED' || c.id === draft.campaignId)
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <NameField id="group-name" error={errors.name} value={draft.name} onInput={(name) => set({ name })} />
        <StatusField id="group-status" value={draft.status} onChange={(status) => set({ status })} />

        <h2 class="ads-form-section">Budget and bid</h2>
        <div class="ads-row">
          <Field id="group-budget-type" label="Budget type">
            {(a) => (
              <select
                {...a}
                value={draft.budgetType}
                onChange={(e) => set({ budgetType: e.currentTarget.value })}
              >
                <option value="DAILY">Daily</option>
                <option value="LIFETIME">Lifetime (needs an end date)</option>
                {campaign?.is_campaign_budget_optimization && (
                  <option value="CBO_ADGROUP">The campaign's budget</option>
                )}
              </select>
            )}
          </Field>
          {draft.budgetType !== 'CBO_ADGROUP' && (
            <Field id="group-budget" label={`Budget (${currency})`} hint={moneyHint} error={errors.budget}>
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  value={draft.budget}
                  onInput={(e) => set({ budget: e.currentTarget.value })}
                />
              )}
            </Field>
          )}
        </div>
        <Field
          id="group-pacing"
          label="Pacing"
          hint="Standard spreads the budget over the day; accelerated spends as fast as ads win."
        >
          {(a) => (
            <select {...a} value={draft.pacing} onChange={(e) => set({ pacing: e.currentTarget.value })}>
              <option value="STANDARD">Standard</option>
              <option value="ACCELERATED">Accelerated</option>
            </select>
          )}
        </Field>
        <Field
          id="group-billable"
          label="Billable event"
          hint={`The campaign's objective (${campaign?.objective_type.toLowerCase() ?? '—'}) decides it.`}
        >
          {(a) => (
            <select {...a} value={draft.billable} onChange={(e) => set({ billable: e.currentTarget.value })}>
              <option value="CLICKTHROUGH">Clicks</option>
              <option value="IMPRESSION">Impressions</option>
            </select>
          )}
        </Field>
        <div class="ads-row">
          <Field id="group-strategy" label="Bid strategy">
            {(a) => (
              <select
                {...a}
                value={draft.strategy}
                onChange={(e) => set({ strategy: e.currentTarget.value })}
              >
                <option value="MAX_BID">Maximum bid</option>
                <option value="TARGET_AVG">Target average cost</option>
                <option value="AUTOMATIC_BID">Automatic</option>
              </select>
            )}
          </Field>
          {draft.strategy !== 'AUTOMATIC_BID' && (
            <Field id="group-bid" label={`Bid ${perWhat} (${currency})`} hint={moneyHint} error={errors.bid}>
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  value={draft.bid}
                  onInput={(e) => set({ bid: e.currentTarget.value })}
                />
              )}
            </Field>
          )}
        </div>
        <Field id="group-placement" label="Placement">
          {(a) => (
            <select
              {...a}
              value={draft.placement}
              onChange={(e) => set({ placement: e.currentTarget.value })}
            >
              <option value="ALL">Everywhere (home feed, related Pins and search)</option>
              <option value="BROWSE">Browsing (home feed and related Pins)</option>
              <option value="SEARCH">Search</option>
            </select>
          )}
        </Field>
        <ScheduleFields idPrefix="group" start={draft.start} end={draft.end} errors={errors} onChange={set} />

        <h2 class="ads-form-section">Targeting</h2>
        <p class="ads-hint">
          Leave a part empty to target everyone. People who did not tell their gender, age, language or
          country match only “Unknown” or no targeting of that kind.
        </p>
        <CheckGroup
          name="group-interest"
          legend="Interests"
          options={data.interests}
          value={draft.interests}
          onChange={(v) => set({ interests: v })}
          scroll
        />
        <KeywordEditor
          rows={draft.keywords}
          onChange={(rows) => set({ keywords: rows })}
          error={errors.keywords}
        />
        <div class="ads-row">
          <MultiSelect
            id="group-locales"
            label="Languages (locales)"
            options={data.locales}
            value={draft.locales}
            onChange={(v) => set({ locales: v })}
          />
          <MultiSelect
            id="group-countries"
            label="Countries"
            options={data.countries}
            value={draft.countries}
            onChange={(v) => set({ countries: v })}
          />
        </div>
        <CheckGroup
          name="group-age"
          legend="Age"
          options={data.ages}
          value={draft.ages}
          onChange={(v) => set({ ages: v })}
        />
        <CheckGroup
          name="group-gender"
          legend="Gender"
          options={data.genders}
          value={draft.genders}
          onChange={(v) => set({ genders: v })}
        />
        {data.audiences.length > 0 ? (
          <CheckGroup
            name="group-audience"
            legend="Audiences"
            options={data.audiences.map((a) => ({ value: a.id, label: a.name }))}
            value={draft.audiences}
            onChange={(v) => set({ audiences: v })}
          />
        ) : (
          <p class="muted">This account has no audiences yet (they are made through the Audiences API).</p>
        )}

        <FormFooter
          error={inCurrency(error, currency)}
          busy={busy}
          saveLabel={adGroupId ? 'Save ad group' : 'Create ad group'}
          accountId={accountId}
        />
      </form>
    </AdsPage>
  );
}

class KeywordError extends ApiError {
  constructor(
    readonly adGroupId: string,
    message: string,
  ) {
    super(400, 0, message);
  }
}

/** Writes the keyword rows: new ones created, ones taken out archived (keywords cannot be edited in place). */
async function saveKeywords(accountId: string, adGroupId: string, rows: KeywordRow[], before: Keyword[]) {
  const kept = new Set(rows.filter((r) => r.id).map((r) => r.id));
  const gone = before.filter((k) => k.id && !k.archived && !kept.has(k.id)).map((k) => k.id!);
  if (gone.length) await ads.archiveKeywords(accountId, gone);
  const fresh = rows.filter((r) => !r.id && r.value.trim());
  if (fresh.length === 0) return;
  const res = await ads.createKeywords(
    accountId,
    adGroupId,
    fresh.map((r) => ({ value: r.value.trim(), match_type: r.match, bid: null })),
  );
  if (res.errors.length > 0) {
    throw new KeywordError(
      adGroupId,
      `The ad group was saved, but some keywords were not: ${res.errors
        .map((e) => `"${e.data.value}": ${e.error_messages.join(' ')}`)
        .join('; ')}`,
    );
  }
}

function KeywordEditor(props: {
  rows: KeywordRow[];
  onChange: (rows: KeywordRow[]) => void;
  error?: string | undefined;
}) {
  const { rows, onChange } = props;
  const update = (key: number, patch: Partial<KeywordRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset
      class="ads-checks ads-keywords"
      aria-describedby={props.error ? 'group-keywords-error' : undefined}
    >
      <legend>Keywords</legend>
      <p class="ads-hint">
        Searches that show this ad group's ads (search placement). Negative keywords keep the ads away from
        searches that hold them.
      </p>
      {rows.length > 0 && (
        <ul class="ads-keyword-list">
          {rows.map((r, i) => (
            <li key={r.key} class="ads-keyword">
              <label class="visually-hidden" for={`kw-${r.key}`}>
                Keyword {i + 1}
              </label>
              <input
                id={`kw-${r.key}`}
                value={r.value}
                readOnly={Boolean(r.id)}
                maxLength={200}
                onInput={(e) => update(r.key, { value: e.currentTarget.value })}
              />
              <label class="visually-hidden" for={`kw-${r.key}-match`}>
                Match type of keyword {i + 1}
              </label>
              <select
                id={`kw-${r.key}-match`}
                value={r.match}
                disabled={Boolean(r.id)}
                onChange={(e) => update(r.key, { match: e.currentTarget.value })}
              >
                {MATCH_TYPES.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
              <button
                type="button"
                class="btn btn-small"
                onClick={() => onChange(rows.filter((x) => x.key !== r.key))}
              >
                Remove<span class="visually-hidden"> keyword {r.value || i + 1}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        class="btn btn-small"
        onClick={() => onChange([...rows, { key: ++keySeq, value: '', match: 'BROAD' }])}
      >
        Add keyword
      </button>
      {props.error && (
        <p class="ads-field-error" id="group-keywords-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

/** A labelled multiple choice list (locales, countries), with what is chosen said in words. */
function MultiSelect(props: {
  id: string;
  label: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (v: string[]) => void;
}) {
  const chosen = new Set(props.value);
  const names = props.options.filter((o) => chosen.has(o.value)).map((o) => o.label);
  return (
    <Field
      id={props.id}
      label={props.label}
      hint={names.length ? `Chosen: ${names.join(', ')}` : 'None chosen: everyone.'}
    >
      {(a) => (
        <select
          {...a}
          multiple
          size={6}
          onChange={(e) => props.onChange([...e.currentTarget.selectedOptions].map((o) => o.value))}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value} selected={chosen.has(o.value)}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
