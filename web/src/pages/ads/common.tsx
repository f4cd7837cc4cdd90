import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type AdAccount, ads } from '../../api/ads.js';
import { ApiError } from '../../api/client.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import { formatMoney, moneyInWords } from './money.js';

/** Loads something once per `key`; `reload` asks again. */
export function useLoad<T>(key: string, load: () => Promise<T>) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [key, attempt]);
  return { data, error, reload: () => setAttempt((a) => a + 1), setData };
}

/** The account a page of the manager is about. */
export function useAccount(accountId: string) {
  return useLoad<AdAccount>(`account:${accountId}`, () => ads.account(accountId));
}

/** A page of the ads manager: main landmark, breadcrumbs, and the title in the tab. */
export function AdsPage(props: {
  title: string;
  crumbs?: { href: string; label: string }[];
  children: ComponentChildren;
  wide?: boolean;
}) {
  useEffect(() => {
    document.title = `${props.title} · Ads · Corkboard`;
  }, [props.title]);
  return (
    <main id="main" class={`page ads-page${props.wide ? ' ads-wide' : ''}`}>
      {props.crumbs && props.crumbs.length > 0 && (
        <nav aria-label="Breadcrumbs" class="ads-crumbs">
          <ol>
            {props.crumbs.map((c) => (
              <li key={c.href}>
                <Link href={c.href}>{c.label}</Link>
              </li>
            ))}
          </ol>
        </nav>
      )}
      {props.children}
    </main>
  );
}

/** A page that could not load its account or entity: the error in words, with a retry. */
export function LoadFailed(props: { title: string; error: unknown; onRetry: () => void }) {
  return (
    <AdsPage title={props.title} crumbs={[{ href: '/ads', label: 'Ad accounts' }]}>
      <h1>{props.title}</h1>
      <ErrorMessage error={props.error} onRetry={props.onRetry} />
    </AdsPage>
  );
}

export function Loading(props: { title: string }) {
  return (
    <main id="main" class="page ads-page" aria-busy="true">
      <h1 class="visually-hidden">{props.title}</h1>
      <p class="loading" role="status">
        Loading…
      </p>
    </main>
  );
}

const STATUS_WORDS: Record<string, string> = {
  ACTIVE: 'Active',
  PAUSED: 'Paused',
  ARCHIVED: 'Archived',
  DRAFT: 'Draft',
  DELETED_DRAFT: 'Deleted',
};

/** An entity's status as a word on a coloured chip (the colour is never the only sign). */
export function StatusBadge(props: { status: string }) {
  return (
    <span class={`ads-status ads-status-${props.status.toLowerCase()}`}>
      {STATUS_WORDS[props.status] ?? props.status}
    </span>
  );
}

/** Spend against a budget: a bar, and the numbers in words beside it. */
export function SpendBar(props: {
  spent: number | undefined;
  budget: number | null;
  currency: string;
  period: string;
  label: string;
}) {
  const { spent, budget, currency } = props;
  if (spent === undefined) return <p class="ads-spend muted">Spend: loading…</p>;
  const text = budget
    ? `${formatMoney(spent, currency)} of ${formatMoney(budget, currency)} spent ${props.period}`
    : `${formatMoney(spent, currency)} spent ${props.period} (no cap)`;
  return (
    <div class="ads-spend">
      {budget ? (
        <meter
          class="ads-spend-bar"
          min={0}
          max={budget}
          value={Math.min(spent, budget)}
          aria-label={`${props.label}: spend against budget`}
          aria-valuetext={text}
        />
      ) : null}
      <span class="ads-spend-text">{text}</span>
    </div>
  );
}

/** A labelled form field with its hint and error, wired for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  children: (a11y: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: boolean;
  }) => ComponentChildren;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field ads-field">
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="ads-hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children({
        id: props.id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(props.error ? { 'aria-invalid': true } : {}),
      })}
      {props.error && (
        <p class="ads-field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A group of checkboxes in a fieldset with a legend. */
export function CheckGroup(props: {
  name: string;
  legend: string;
  hint?: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (v: string[]) => void;
  scroll?: boolean;
}) {
  const set = new Set(props.value);
  return (
    <fieldset class="ads-checks">
      <legend>{props.legend}</legend>
      {props.hint && <p class="ads-hint">{props.hint}</p>}
      <div class={props.scroll ? 'ads-checks-list ads-scroll' : 'ads-checks-list'}>
        {props.options.map((o) => {
          const id = `${props.name}-${o.value}`;
          return (
            <label key={o.value} for={id} class="ads-check">
              <input
                type="checkbox"
                id={id}
                checked={set.has(o.value)}
                onChange={(e) => {
                  const next = new Set(set);
                  if ((e.currentTarget as HTMLInputElement).checked) next.add(o.value);
                  else next.delete(o.value);
                  props.onChange(props.options.map((x) => x.value).filter((v) => next.has(v)));
                }}
              />
              <span>{o.label}</span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** Keeps focus on the error summary when a submit fails, so a screen reader hears why. */
export function useFocusOnError(error: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  return ref;
}

/** Unix seconds of the start of a UTC day ("2026-12-03"), or of its last second. */
export function dayToSeconds(day: string, endOfDay = false): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms)) return null;
  return ms / 1000 + (endOfDay ? 86_399 : 0);
}

/** The UTC day of unix seconds, for a date field. */
export function secondsToDay(seconds: number | null | undefined): string {
  return seconds ? new Date(seconds * 1000).toISOString().slice(0, 10) : '';
}

/** Today (UTC) and `n` days from it, as YYYY-MM-DD. */
export function utcDay(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** Calls `tick` every `ms` while the page is visible, and at once when it becomes visible again. */
export function useVisibleInterval(tick: () => void, ms: number) {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    const onVisible = () => {
      if (document.visibilityState === 'visible') saved.current();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(id);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms]);
}

export const OBJECTIVES: { value: string; label: string; billable: string }[] = [
  { value: 'AWARENESS', label: 'Awareness (paid per thousand impressions)', billable: 'IMPRESSION' },
  { value: 'CONSIDERATION', label: 'Consideration (paid per click)', billable: 'CLICKTHROUGH' },
  { value: 'WEB_CONVERSION', label: 'Conversions (paid per thousand impressions)', billable: 'IMPRESSION' },
];

export function billableFor(objective: string | undefined): string {
  return OBJECTIVES.find((o) => o.value === objective)?.billable ?? 'CLICKTHROUGH';
}

/** An API error whose message names micro-unit amounts, with them also said in the account's currency. */
export function inCurrency(error: unknown, currency: string): unknown {
  return error instanceof ApiError
    ? new ApiError(error.status, error.code, moneyInWords(error.message, currency))
    : error;
}

/** A form's name field (at most 255 characters, as the API takes). */
export function NameField(props: {
  id: string;
  label?: string;
  value: string;
  error?: string | undefined;
  onInput: (value: string) => void;
}) {
  return (
    <Field id={props.id} label={props.label ?? 'Name'} error={props.error}>
      {(a) => (
        <input
          {...a}
          value={props.value}
          maxLength={255}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** A form's status: active or paused (archiving is the tree's button). */
export function StatusField(props: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <Field id={props.id} label="Status">
      {(a) => (
        <select {...a} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          <option value="ACTIVE">Active</option>
          <option value="PAUSED">Paused</option>
        </select>
      )}
    </Field>
  );
}

/** A schedule's first and last UTC days, both optional, side by side. */
export function ScheduleFields(props: {
  idPrefix: string;
  start: string;
  end: string;
  errors: { start?: string | undefined; end?: string | undefined };
  onChange: (change: { start?: string; end?: string }) => void;
}) {
  return (
    <div class="ads-row">
      <Field id={`${props.idPrefix}-start`} label="Start (UTC day, optional)" error={props.errors.start}>
        {(a) => (
          <input
            {...a}
            type="date"
            value={props.start}
            onInput={(e) => props.onChange({ start: e.currentTarget.value })}
          />
        )}
      </Field>
      <Field id={`${props.idPrefix}-end`} label="End (UTC day, optional)" error={props.errors.end}>
        {(a) => (
          <input
            {...a}
            type="date"
            value={props.end}
            onInput={(e) => props.onChange({ end: e.currentTarget.value })}
          />
        )}
      </Field>
    </div>
  );
}

/** A form's end: the API's refusal in words (focused when it comes), save, and cancel back to the tree. */
export function FormFooter(props: { error: unknown; busy: boolean; saveLabel: string; accountId: string }) {
  const errorRef = useFocusOnError(props.error);
  return (
    <>
      {props.error ? (
        <div tabIndex={-1} ref={errorRef} class="ads-form-error">
          <ErrorMessage error={props.error} />
        </div>
      ) : null}
      <div class="ads-actions">
        <button type="submit" class="btn btn-primary" disabled={props.busy}>
          {props.busy ? 'Saving…' : props.saveLabel}
        </button>
        <Link class="btn" href={`/ads/${props.accountId}`}>
          Cancel
        </Link>
      </div>
    </>
  );
}
