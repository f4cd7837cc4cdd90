/**
 * The closed set of errors domain code throws. HTTP status and the Pinterest `{code, message}` body are
 * decided in one place (http/error-handler.ts); services never build HTTP responses.
 */
export abstract class DomainError extends Error {
  /** Pinterest-style numeric error code for the response body. */
  abstract readonly code: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule (HTTP 400). Pinterest uses code 1 for invalid parameters. */
export class Invalid extends DomainError {
  readonly code: number;
  constructor(message: string, code = 1) {
    super(message);
    this.code = code;
  }
}

/** No credentials, or credentials that are not valid (HTTP 401). */
export class Unauthenticated extends DomainError {
  readonly code = 2;
}

/** Authenticated but not allowed, e.g. a missing scope (HTTP 403). */
export class Forbidden extends DomainError {
  readonly code: number;
  constructor(message: string, code = 3) {
    super(message);
    this.code = code;
  }
}

/** The thing does not exist or the viewer may not know it exists (HTTP 404). */
export class NotFound extends DomainError {
  readonly code: number;
  constructor(message: string, code = 404) {
    super(message);
    this.code = code;
  }
}

/** The request conflicts with the current state (HTTP 409). */
export class Conflict extends DomainError {
  readonly code: number;
  constructor(message: string, code = 409) {
    super(message);
    this.code = code;
  }
}

/** A body or upload over its size limit (HTTP 413). */
export class PayloadTooLarge extends DomainError {
  readonly code = 413;
}

/** Over a rate limit (HTTP 429). Pinterest uses code 8. */
export class RateLimited extends DomainError {
  readonly code = 8;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A dependency is down or the process is shutting down (HTTP 503). */
export class Unavailable extends DomainError {
  readonly code = 503;
}
