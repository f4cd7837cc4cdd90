import { Link } from '../components/link.js';

export function NotFoundPage() {
  return (
    <main class="card auth-card" id="main">
      <h1>Page not found</h1>
      <p class="muted">There is nothing at this address.</p>
      <div class="actions">
        <Link class="btn btn-primary" href="/">
          Go to your home feed
        </Link>
      </div>
    </main>
  );
}
