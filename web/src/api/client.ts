import { currentToken } from '../auth/session.js';

/** An error the API answered (its `{code, message}`), or a request that never got an answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the API says the token is no longer good (401): the app sends the person to sign in. */
let onUnauthorized: () => void = () => {};

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** For requests made without `api` (an upload through XMLHttpRequest): the API answered 401. */
export function reportUnauthorized(): void {
  onUnauthorized();
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 0;
  let message = `The server answered ${res.status} ${res.statusText}.`;
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    if (typeof body.message === 'string' && body.message) message = body.message;
    if (typeof body.code === 'number') code = body.code;
  } catch {
    // Not JSON: the status line says what we know.
  }
  return new ApiError(res.status, code, message);
}

/** GETs (or sends) `path` on this origin with the person's token; the parsed JSON, or an ApiError. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = currentToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, 0, 'Corkboard could not be reached. Check your connection and try again.');
  }
  if (res.status === 401) {
    onUnauthorized();
    throw await errorOf(res);
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** A query string from the defined entries of `params`. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
