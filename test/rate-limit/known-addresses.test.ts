import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { KnownAddresses } from '../../src/platform/rate-limit/known-addresses.js';
import { startTestApp } from '../helpers/app.js';

describe('known addresses of the guessing throttle', () => {
  let app: App;
  beforeAll(async () => {
    // No job runner: its periodic prune (oauth.prune-known-addresses, run at start and every 6 hours)
    // would race the prune this test counts.
    app = await startTestApp({ runJobs: false });
  });

  it('knows an address for 90 days after its last success, and prunes it after', async () => {
    const known = new KnownAddresses(app.deps.db);
    await known.remember('user:1', '192.0.2.1');
    await known.remember('user:2', '192.0.2.2');
    expect(await known.knows('user:1', '192.0.2.1')).toBe(true);
    expect(await known.knows('user:1', '192.0.2.2')).toBe(false);
    // Stored as a hash, never as the address itself.
    const stored = await app.deps.db.selectFrom('auth_known_addresses').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('192.0.2');

    await sql`update auth_known_addresses set last_success_at = now() - interval '91 days'
               where subject = 'user:1'`.execute(app.deps.db);
    expect(await known.knows('user:1', '192.0.2.1')).toBe(false);
    expect(await known.prune()).toBe(1);
    const left = await app.deps.db.selectFrom('auth_known_addresses').select('subject').execute();
    expect(left).toEqual([{ subject: 'user:2' }]);
  });
});
