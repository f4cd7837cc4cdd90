/**
 * The closed set of errors domain code throws. HTTP status and the Pinterest `{code, message}` body are
 * decided in one place (http/error-handler.ts); services never build HTTP responses.
 */
export abstract class DomainError extends Error {
  /** The Pinterest-style code a subclass answers with unless the thrower names a more specific one. */
  static readonly defaultCode: number = 500;
  /** Pinterest-style numeric error code for the response body. */
  readonly code: number;
  constructor(message: string, code?: number) {
    super(message);
    this.name = new.target.name;
    this.code = code ?? (new.target as unknown as typeof DomainError).defaultCode;
  }
}

/** Input that breaks a rule (HTTP 400). Pinterest uses code 1 for invalid parameters. */
export class Invalid extends DomainError {
  static override readonly defaultCode = 1;
}

/** No credentials, or credentials that are not valid (HTTP 401). */
export class Unauthenticated extends DomainError {
  static override readonly defaultCode = 2;
}

/** Authenticated but not allowed, e.g. a missing scope (HTTP 403). */
export class Forbidden extends DomainError {
  static override readonly defaultCode = 3;
}

/** The thing does not exist or the viewer may not know it exists (HTTP 404). */
export class NotFound extends DomainError {
  static override readonly defaultCode = 404;
}

/** The request conflicts with the current state (HTTP 409). */
export class Conflict extends DomainError {
  static override readonly defaultCode = 409;
}

/** A body or upload over its size limit (HTTP 413). */
export class PayloadTooLarge extends DomainError {
  static override readonly defaultCode = 413;
}

/** Over a rate limit (HTTP 429). Pinterest uses code 8. */
export class RateLimited extends DomainError {
  static override readonly defaultCode = 8;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A dependency is down or the process is shutting down (HTTP 503). */
export class Unavailable extends DomainError {
  static override readonly defaultCode = 503;
}
