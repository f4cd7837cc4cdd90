import { useEffect, useState } from 'preact/hooks';
import { finishSignIn } from '../auth/session.js';
import { ErrorMessage } from '../components/error-message.js';
import { navigate } from '../router.js';

/** Where the consent page sends the browser back: trades the code for a token, then returns. */
export function CallbackPage(props: { onSignedIn: () => void }) {
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    finishSignIn(new URLSearchParams(location.search)).then(
      (returnTo) => {
        props.onSignedIn();
        navigate(returnTo, true);
      },
      (err: unknown) => setError(err),
    );
  }, []);
  return (
    <main class="card auth-card" id="main">
      {error ? (
        <>
          <h1>Sign-in did not finish</h1>
          <ErrorMessage error={error} />
          <div class="actions">
            <a class="btn btn-primary" href="/signin">
              Back to sign-in
            </a>
          </div>
        </>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </main>
  );
}
