import { useEffect, useState } from 'preact/hooks';
import { ads, type Campaign } from '../../api/ads.js';
import { navigate } from '../../router.js';
import {
  AdsPage,
  dayToSeconds,
  Field,
  FormFooter,
  inCurrency,
  LoadFailed,
  Loading,
  NameField,
  OBJECTIVES,
  ScheduleFields,
  StatusField,
  secondsToDay,
  useAccount,
  useLoad,
  utcDay,
} from './common.js';
import { currencyDecimals, microsToInput, parseMoney } from './money.js';

type CapKind = 'none' | 'daily' | 'lifetime';

/** What the form holds: text as typed, parsed on submit. */
interface Draft {
  name: string;
  objective: string;
  status: string;
  cap: CapKind;
  amount: string;
  start: string;
  end: string;
}

type Errors = Partial<Record<keyof Draft, string>>;

function draftOf(c: Campaign | undefined): Draft {
  if (!c)
    return {
      name: '',
      objective: 'CONSIDERATION',
      status: 'ACTIVE',
      cap: 'daily',
      amount: '',
      start: '',
      end: '',
    };
  const cap: CapKind =
    c.daily_spend_cap !== null ? 'daily' : c.lifetime_spend_cap !== null ? 'lifetime' : 'none';
  return {
    name: c.name,
    objective: c.objective_type,
    status: c.status,
    cap,
    amount: microsToInput(c.daily_spend_cap ?? c.lifetime_spend_cap),
    start: secondsToDay(c.start_time),
    end: secondsToDay(c.end_time),
  };
}

/** Checks the draft on the client; the API's own checks answer the rest (shown as it words them). */
export function checkCampaign(
  d: Draft,
  currency: string,
  isNew: boolean,
): { errors: Errors; body?: Record<string, unknown> } {
  const errors: Errors = {};
  if (!d.name.trim()) errors.name = 'Give the campaign a name.';
  let cap: number | null = null;
  if (d.cap !== 'none') {
    const parsed = parseMoney(d.amount, currency);
    if (!parsed.ok) errors.amount = parsed.error;
    else if (parsed.micros === 0) errors.amount = 'A spend cap must be more than zero.';
    else cap = parsed.micros;
  }
  const start = d.start ? dayToSeconds(d.start) : null;
  const end = d.end ? dayToSeconds(d.end, true) : null;
  if (d.start && start === null) errors.start = 'Enter a date.';
  if (d.end && end === null) errors.end = 'Enter a date.';
  if (end !== null && d.end < utcDay()) errors.end = 'The end cannot be in the past.';
  if (start !== null && end !== null && end <= start) errors.end = 'The end must be after the start.';
  if (d.cap === 'lifetime' && end === null) errors.end = 'A lifetime cap needs an end date.';
  if (Object.keys(errors).length > 0) return { errors };
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    status: d.status,
    daily_spend_cap: d.cap === 'daily' ? cap : null,
    lifetime_spend_cap: d.cap === 'lifetime' ? cap : null,
    start_time: start,
    end_time: end,
  };
  if (isNew || d.objective) body.objective_type = d.objective;
  return { errors, body };
}

/** /ads/:id/campaigns/new and /ads/:id/campaigns/:campaignId — create or edit a campaign. */
export function CampaignForm(props: { accountId: string; campaignId: string | undefined }) {
  const { accountId, campaignId } = props;
  const account = useAccount(accountId);
  const existing = useLoad(`campaign:${campaignId ?? 'new'}`, () =>
    campaignId ? ads.campaign(accountId, campaignId) : Promise.resolve(undefined),
  );
  const [draft, setDraft] = useState<Draft | undefined>(campaignId ? undefined : draftOf(undefined));
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (campaignId && existing.data) setDraft(draftOf(existing.data));
  }, [existing.data]);

  const title = campaignId ? 'Edit campaign' : 'New campaign';
  if (account.error) return <LoadFailed title={title} error={account.error} onRetry={account.reload} />;
  if (existing.error) return <LoadFailed title={title} error={existing.error} onRetry={existing.reload} />;
  if (!account.data || !draft) return <Loading title={title} />;
  const currency = account.data.currency;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = checkCampaign(draft, currency, !campaignId);
    setErrors(checked.errors);
    if (!checked.body) return;
    setBusy(true);
    setError(null);
    try {
      if (campaignId) await ads.updateCampaign(accountId, { id: campaignId, ...checked.body });
      else await ads.createCampaign(accountId, checked.body);
      navigate(`/ads/${accountId}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const decimals = currencyDecimals(currency);
  return (
    <AdsPage
      title={title}
      crumbs={[
        { href: '/ads', label: 'Ad accounts' },
        { href: `/ads/${accountId}`, label: account.data.name },
      ]}
    >
      <h1>{campaignId ? `Edit campaign ${existing.data?.name ?? ''}` : 'New campaign'}</h1>
      <form class="card ads-card ads-form" onSubmit={submit} noValidate aria-label={title}>
        <NameField
          id="campaign-name"
          error={errors.name}
          value={draft.name}
          onInput={(name) => set({ name })}
        />
        <Field
          id="campaign-objective"
          label="Objective"
          hint="It decides how ad groups pay: per click or per thousand impressions."
        >
          {(a) => (
            <select
              {...a}
              value={draft.objective}
              onChange={(e) => set({ objective: e.currentTarget.value })}
            >
              {OBJECTIVES.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <StatusField id="campaign-status" value={draft.status} onChange={(status) => set({ status })} />
        <fieldset class="ads-checks">
          <legend>Spend cap</legend>
          <div class="ads-radios">
            {(['daily', 'lifetime', 'none'] as const).map((k) => (
              <label key={k} class="ads-check" for={`campaign-cap-${k}`}>
                <input
                  type="radio"
                  name="campaign-cap"
                  id={`campaign-cap-${k}`}
                  checked={draft.cap === k}
                  onChange={() => set({ cap: k })}
                />
                <span>{k === 'daily' ? 'Daily' : k === 'lifetime' ? 'Lifetime' : 'No cap'}</span>
              </label>
            ))}
          </div>
          {draft.cap !== 'none' && (
            <Field
              id="campaign-cap-amount"
              label={`${draft.cap === 'daily' ? 'Daily' : 'Lifetime'} cap (${currency})`}
              hint={
                decimals === 0
                  ? `Whole ${currency}.`
                  : `In ${currency}, up to ${decimals} decimals, e.g. 100.00.`
              }
              error={errors.amount}
            >
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  value={draft.amount}
                  onInput={(e) => set({ amount: e.currentTarget.value })}
                />
              )}
            </Field>
          )}
        </fieldset>
        <ScheduleFields
          idPrefix="campaign"
          start={draft.start}
          end={draft.end}
          errors={errors}
          onChange={set}
        />
        <FormFooter
          error={inCurrency(error, currency)}
          busy={busy}
          saveLabel={campaignId ? 'Save campaign' : 'Create campaign'}
          accountId={accountId}
        />
      </form>
    </AdsPage>
  );
}
