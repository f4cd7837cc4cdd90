import { useCallback, useEffect, useState } from 'preact/hooks';
import { ads } from '../../api/ads.js';
import { pickImage, placeholderColor } from '../../api/pins.js';
import type { Pin } from '../../api/types.js';
import { usePages } from '../../api/use-pages.js';
import { ErrorMessage } from '../../components/error-message.js';
import { navigate } from '../../router.js';
import {
  AdsPage,
  Field,
  FormFooter,
  LoadFailed,
  Loading,
  NameField,
  StatusField,
  useAccount,
  useLoad,
} from './common.js';

interface Draft {
  adGroupId: string;
  pinId: string;
  name: string;
  destination: string;
  status: string;
}

type Errors = Partial<Record<keyof Draft, string>>;

export function checkAd(d: Draft): { errors: Errors; body?: Record<string, unknown> } {
  const errors: Errors = {};
  if (!d.adGroupId) errors.adGroupId = 'Choose an ad group.';
  if (!/^\d{1,19}$/.test(d.pinId.trim()))
    errors.pinId = 'Choose one of your Pins, or enter a Pin id (digits).';
  const url = d.destination.trim();
  if (url) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) errors.destination = 'Enter a web address starting with https:// (or leave it empty).';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    body: {
      ad_group_id: d.adGroupId,
      pin_id: d.pinId.trim(),
      creative_type: 'REGULAR',
      name: d.name.trim() || null,
      destination_url: url || null,
      status: d.status,
    },
  };
}

/** /ads/:id/ads/new?ad_group_id= and /ads/:id/ads/:adId — an ad promoting one of the person's Pins. */
export function AdForm(props: {
  accountId: string;
  adId: string | undefined;
  adGroupId: string | undefined;
}) {
  const { accountId, adId } = props;
  const account = useAccount(accountId);
  const form = useLoad(`ad-form:${adId ?? 'new'}`, async () => {
    const [groups, ad] = await Promise.all([
      ads.adGroups(accountId),
      adId ? ads.ad(accountId, adId) : Promise.resolve(undefined),
    ]);
    return { groups, ad };
  });
  const [draft, setDraft] = useState<Draft | undefined>();
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!form.data || draft) return;
    const { ad, groups } = form.data;
    const live = groups.filter((g) => g.status !== 'ARCHIVED');
    setDraft({
      adGroupId: ad?.ad_group_id ?? props.adGroupId ?? live[0]?.id ?? '',
      pinId: ad?.pin_id ?? '',
      name: ad?.name ?? '',
      destination: ad?.destination_url ?? '',
      status: ad?.status === 'PAUSED' ? 'PAUSED' : 'ACTIVE',
    });
  }, [form.data]);

  const title = adId ? 'Edit ad' : 'New ad';
  if (account.error) return <LoadFailed title={title} error={account.error} onRetry={account.reload} />;
  if (form.error) return <LoadFailed title={title} error={form.error} onRetry={form.reload} />;
  if (!account.data || !form.data || !draft) return <Loading title={title} />;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = checkAd(draft);
    setErrors(checked.errors);
    if (!checked.body) return;
    setBusy(true);
    setError(null);
    try {
      if (adId) await ads.updateAd(accountId, { id: adId, ...checked.body });
      else await ads.createAd(accountId, checked.body);
      navigate(`/ads/${accountId}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AdsPage
      title={title}
      crumbs={[
        { href: '/ads', label: 'Ad accounts' },
        { href: `/ads/${accountId}`, label: account.data.name },
      ]}
    >
      <h1>{title}</h1>
      <form class="card ads-card ads-form" onSubmit={submit} noValidate aria-label={title}>
        <Field id="ad-group" label="Ad group" error={errors.adGroupId}>
          {(a) => (
            <select
              {...a}
              value={draft.adGroupId}
              onChange={(e) => set({ adGroupId: e.currentTarget.value })}
            >
              {!draft.adGroupId && <option value="">Choose an ad group</option>}
              {form
                .data!.groups.filter((g) => g.status !== 'ARCHIVED' || g.id === draft.adGroupId)
                .map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <PinPicker value={draft.pinId} onChange={(pinId) => set({ pinId })} error={errors.pinId} />
        <NameField
          id="ad-name"
          label="Name (optional)"
          value={draft.name}
          onInput={(name) => set({ name })}
        />
        <Field
          id="ad-destination"
          label="Destination web address (optional)"
          hint="Where a click on the ad leads; the Pin's own link otherwise."
          error={errors.destination}
        >
          {(a) => (
            <input
              {...a}
              type="url"
              value={draft.destination}
              onInput={(e) => set({ destination: e.currentTarget.value })}
            />
          )}
        </Field>
        <StatusField id="ad-status" value={draft.status} onChange={(status) => set({ status })} />
        <FormFooter
          error={error}
          busy={busy}
          saveLabel={adId ? 'Save ad' : 'Create ad'}
          accountId={accountId}
        />
      </form>
    </AdsPage>
  );
}

/** The person's own Pins as a choice of pictures (radio buttons), or a Pin id typed in. */
function PinPicker(props: { value: string; onChange: (id: string) => void; error?: string | undefined }) {
  const fetchPage = useCallback((bookmark: string | null) => ads.myPins(bookmark), []);
  const pins = usePages<Pin>('ads:my-pins', fetchPage);
  return (
    <fieldset class="ads-checks ads-pin-picker">
      <legend>Pin to promote</legend>
      <p class="ads-hint">One of your own Pins on a public board (others' Pins cannot be promoted).</p>
      {pins.error ? <ErrorMessage error={pins.error} onRetry={pins.retry} /> : null}
      {pins.items.length === 0 && !pins.loading && !pins.error ? (
        <p class="muted">You have no Pins yet.</p>
      ) : (
        <div class="ads-pins" role="radiogroup" aria-label="Your Pins">
          {pins.items.map((pin) => {
            const image = pickImage(pin, 120);
            const label = pin.title || pin.alt_text || `Pin ${pin.id}`;
            return (
              <label key={pin.id} class="ads-pin" for={`pin-${pin.id}`}>
                <input
                  type="radio"
                  name="ad-pin"
                  id={`pin-${pin.id}`}
                  value={pin.id}
                  checked={props.value === pin.id}
                  onChange={() => props.onChange(pin.id)}
                />
                <span class="ads-pin-picture" style={{ background: placeholderColor(pin) }}>
                  {image && <img src={image.url} alt="" loading="lazy" width={120} height={120} />}
                </span>
                <span class="ads-pin-title">{label}</span>
              </label>
            );
          })}
        </div>
      )}
      {pins.loading && <p role="status">Loading your Pins…</p>}
      {pins.hasMore && !pins.loading && pins.items.length > 0 && (
        <button type="button" class="btn btn-small" onClick={pins.loadMore}>
          Show more of your Pins
        </button>
      )}
      <Field id="ad-pin-id" label="Or a Pin id" error={props.error}>
        {(a) => (
          <input
            {...a}
            inputMode="numeric"
            value={props.value}
            onInput={(e) => props.onChange(e.currentTarget.value.trim())}
          />
        )}
      </Field>
    </fieldset>
  );
}
