import { ApiError } from '../../api/client.js';
import { isForbidden } from '../../api/experiments.js';
import { ErrorMessage } from '../../components/error-message.js';

/**
 * What the experiments pages say when the API refuses: a person who is not one of the instance's
 * operators (or whose sign-in predates the experiments:read scope) is told so in words.
 */
export function ExperimentsError(props: { error: unknown; onRetry: () => void }) {
  if (isForbidden(props.error)) {
    const missingScope = props.error instanceof ApiError && /experiments:read/.test(props.error.message);
    return (
      <div class="notice access-box" role="alert">
        <h2>You cannot see experiments</h2>
        <p>
          Experiments are for the people who run this Corkboard.{' '}
          {missingScope
            ? 'This sign-in does not include permission to read them: sign out and sign in again to grant it.'
            : 'Your account is not one of its operators. Whoever runs the server can add you to EXPERIMENT_ADMINS.'}
        </p>
        <p class="access-detail">The server said: {(props.error as ApiError).message}</p>
      </div>
    );
  }
  return <ErrorMessage error={props.error} onRetry={props.onRetry} />;
}
