import { Type } from 'typebox';
import type { HttpServer } from './types.js';

/** What an advisory check reports: `status` is `ok` when all is well; `details` are shown as they are. */
export interface Advisory {
  status: string;
  details: Record<string, string | number | boolean | null>;
}

export interface ReadinessChecks {
  /** Checks each dependency; an entry that throws makes /readyz answer 503. */
  readiness: Record<string, () => Promise<void>>;
  /**
   * Checks only `/readyz?verbose` runs, which report but never fail readiness: a stalled job system
   * must not take every API node out of its load balancer (it would turn late images into an outage).
   */
  advisories?: Record<string, () => Promise<Advisory>>;
}

const Detail = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
const Status = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
  details: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Detail))),
});

/** `?verbose`, `?verbose=1`, `?verbose=true` ask for the advisory checks; `?verbose=0` or `=false` do not. */
function wantsVerbose(value: string | undefined): boolean {
  return value !== undefined && !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

const TIMEOUT_MS = 2000;

/** /healthz (liveness) and /readyz (readiness, with `?verbose` the advisory checks too). */
export function healthRoutes(app: HttpServer, checks: ReadinessChecks): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness (database, Redis); with `verbose`, also whether jobs move',
        querystring: Type.Object({ verbose: Type.Optional(Type.String({ maxLength: 10 })) }),
        response: { 200: Status, 503: Status },
      },
    },
    async (request, reply) => {
      const verbose = wantsVerbose(request.query.verbose);
      const results: Record<string, string> = {};
      const details: Record<string, Advisory['details']> = {};
      let ready = true;
      let degraded = false;
      const runs = Object.entries(checks.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), TIMEOUT_MS);
          results[name] = 'ok';
        } catch (err) {
          ready = false;
          results[name] = message(err);
        }
      });
      if (verbose) {
        for (const [name, check] of Object.entries(checks.advisories ?? {})) {
          runs.push(
            (async () => {
              try {
                const advisory = await withTimeout(check(), TIMEOUT_MS);
                results[name] = advisory.status;
                details[name] = advisory.details;
                if (advisory.status !== 'ok') degraded = true;
              } catch (err) {
                results[name] = message(err);
                degraded = true;
              }
            })(),
          );
        }
      }
      await Promise.all(runs);
      const status = !ready ? 'unavailable' : degraded ? 'degraded' : 'ok';
      // Only the readiness checks decide the status code, verbose or not.
      return reply
        .status(ready ? 200 : 503)
        .send(verbose ? { status, checks: results, details } : { status, checks: results });
    },
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : 'failed';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
