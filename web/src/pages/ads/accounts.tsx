import { useState } from 'preact/hooks';
import { type AdAccount, ads } from '../../api/ads.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import { navigate } from '../../router.js';
import { AdsPage, Field, useFocusOnError, useLoad } from './common.js';

/** /ads: the person's ad accounts, each leading to its manager, and a form to make one. */
export function AccountsPage() {
  const accounts = useLoad('accounts', () => ads.accounts());
  return (
    <AdsPage title="Ad accounts">
      <h1>Ad accounts</h1>
      <section aria-labelledby="accounts-heading" class="card ads-card">
        <h2 id="accounts-heading">Your ad accounts</h2>
        {accounts.error ? (
          <ErrorMessage error={accounts.error} onRetry={accounts.reload} />
        ) : !accounts.data ? (
          <p role="status">Loading ad accounts…</p>
        ) : accounts.data.length === 0 ? (
          <p class="muted">No ad accounts yet. Create one below to promote your Pins.</p>
        ) : (
          <ul class="ads-account-list">
            {accounts.data.map((a) => (
              <li key={a.id}>
                <Link href={`/ads/${a.id}`} class="ads-account-link">
                  <span class="ads-account-name">{a.name}</span>
                  <span class="muted">
                    {' '}
                    · {a.country} · {a.currency} · {a.permissions.join(', ').toLowerCase()}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <NewAccount onCreated={(a) => navigate(`/ads/${a.id}`)} />
    </AdsPage>
  );
}

function NewAccount(props: { onCreated: (a: AdAccount) => void }) {
  const countries = useLoad('countries', () => ads.countries());
  const [name, setName] = useState('');
  const [country, setCountry] = useState('US');
  const [currency, setCurrency] = useState('');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useFocusOnError(error);
  const list = countries.data?.items ?? [];
  const currencies = [...new Set(list.map((c) => c.currency))].sort();
  const countryCurrency = list.find((c) => c.code === country)?.currency ?? 'USD';

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    setNameError(trimmed ? undefined : 'Give the account a name.');
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      props.onCreated(
        await ads.createAccount({ name: trimmed, country, currency: currency || countryCurrency }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-account-heading" class="card ads-card">
      <h2 id="new-account-heading">Create an ad account</h2>
      <form onSubmit={submit} noValidate class="ads-form">
        <Field id="account-name" label="Name" error={nameError}>
          {(a) => (
            <input {...a} value={name} maxLength={256} onInput={(e) => setName(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="account-country" label="Country">
          {(a) => (
            <select {...a} value={country} onChange={(e) => setCountry(e.currentTarget.value)}>
              {list.length === 0 && <option value="US">United States</option>}
              {list.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="account-currency"
          label="Currency"
          hint="Budgets and bids are in this currency. Ads serve in currencies the instance has an exchange rate for (US dollars always)."
        >
          {(a) => (
            <select {...a} value={currency} onChange={(e) => setCurrency(e.currentTarget.value)}>
              <option value="">The country's ({countryCurrency})</option>
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        {countries.error ? <ErrorMessage error={countries.error} onRetry={countries.reload} /> : null}
        {error ? (
          <div tabIndex={-1} ref={errorRef}>
            <ErrorMessage error={error} />
          </div>
        ) : null}
        <div class="ads-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create ad account'}
          </button>
        </div>
      </form>
    </section>
  );
}
