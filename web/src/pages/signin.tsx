import { useState } from 'preact/hooks';
import { startSignIn } from '../auth/session.js';

/** The front door: what Corkboard is, and sign in or create an account (both on the consent pages). */
export function SignInPage(props: { returnTo: string; expired: boolean }) {
  const [busy, setBusy] = useState(false);
  const go = (signUp: boolean) => {
    setBusy(true);
    void startSignIn(props.returnTo, signUp).catch(() => setBusy(false));
  };
  return (
    <main class="card auth-card" id="main">
      <h1>Find ideas you love, and keep them</h1>
      {props.expired && (
        <p class="notice" role="status">
          Your session ended. Sign in again to carry on where you were.
        </p>
      )}
      <p class="muted">
        Corkboard is a place to save pictures of the things you want to cook, make, wear and visit, on boards
        of your own.
      </p>
      <div class="actions">
        <button type="button" class="btn btn-primary" disabled={busy} onClick={() => go(false)}>
          Sign in
        </button>
        <button type="button" class="btn" disabled={busy} onClick={() => go(true)}>
          Create an account
        </button>
      </div>
    </main>
  );
}
