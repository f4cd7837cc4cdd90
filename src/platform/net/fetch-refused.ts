/** Why safeFetch gave up; stable strings callers can switch on. */
export type FetchRefusedReason =
  | 'invalid-url'
  | 'scheme'
  | 'private-address'
  | 'dns'
  | 'too-large'
  | 'incomplete'
  | 'timeout'
  | 'status'
  | 'redirects'
  | 'network';

/** Reasons worth retrying later: the same URL may well work next time. */
const TRANSIENT: ReadonlySet<FetchRefusedReason> = new Set(['dns', 'timeout', 'network', 'incomplete']);

function describe(reason: FetchRefusedReason, host: string, status?: number): string {
  switch (reason) {
    case 'invalid-url':
      return 'The URL is not valid.';
    case 'scheme':
      return 'Only http and https URLs can be fetched.';
    case 'private-address':
      return `${host} is a private or reserved address and cannot be fetched.`;
    case 'dns':
      return `${host} could not be resolved.`;
    case 'too-large':
      return `The response from ${host} is too large.`;
    case 'incomplete':
      return `The response from ${host} ended before all of it arrived.`;
    case 'timeout':
      return `${host} took too long to answer.`;
    case 'status':
      return `${host} answered with HTTP status ${status}.`;
    case 'redirects':
      return `${host} redirected too many times.`;
    case 'network':
      return `Could not connect to ${host}.`;
  }
}

/**
 * A URL fetch that was refused or failed. The message names at most the URL's host (never a resolved
 * address or a socket error), so callers may show it to the user as a 400; `cause` keeps the low-level
 * error for logs only.
 */
export class FetchRefused extends Error {
  /** The final response's HTTP status, for reason 'status'. */
  readonly status: number | undefined;

  constructor(
    readonly reason: FetchRefusedReason,
    readonly host: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(describe(reason, host, options.status), { cause: options.cause });
    this.name = 'FetchRefused';
    this.status = options.status;
  }

  /** Whether trying again later could succeed (a job may retry these; the rest are permanent). */
  get transient(): boolean {
    return TRANSIENT.has(this.reason) || (this.reason === 'status' && (this.status ?? 0) >= 500);
  }
}
