import { ApiError } from '../api/client.js';

/** What went wrong, in words the person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404) return 'This could not be found. It may have been deleted or made secret.';
    if (err.status === 429) return `Too many requests: ${err.message} Wait a moment and try again.`;
    if (err.status >= 500) return `Corkboard had a problem answering (${err.status}). Please try again.`;
    return err.message;
  }
  return err instanceof Error ? err.message : 'Something went wrong.';
}

/** An error box, announced to screen readers, with a retry button when there is something to retry. */
export function ErrorMessage(props: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="notice error-box" role="alert">
      <p>{describeError(props.error)}</p>
      {props.onRetry && (
        <button type="button" class="btn" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
