import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { expect } from 'vitest';
import { eventually as poll } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';
import { Child, ROOT, STARTUP_MS } from '../process/child.js';
import { processEnv } from '../process/env.js';

// What every browser test file shares: a real server on the embedded default (a child process with its
// own data directory and the demo world), Debian's Chromium driven by playwright-core, screenshots in
// test-results/screenshots/ (not committed), axe-core on every page shot, and signing up through the
// consent page.
//
// Chromium is Debian's (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. Without it a
// browser file FAILS, saying how to get it; CORKBOARD_SKIP_BROWSER=1 skips them instead, on purpose only.
// In the services run they are skipped: they test the web app, which sees only the HTTP API, and the
// embedded run already drives it end to end; the API under PostgreSQL and Redis is covered by the
// services suites.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** Whether the browser files are skipped (the services run, or on purpose). */
export const SKIP_BROWSER = testMode() === 'services' || process.env.CORKBOARD_SKIP_BROWSER === '1';
/** Time for beforeAll: building the app if needed, starting the server with the demo world, Chromium. */
export const HARNESS_START_MS = STARTUP_MS * 3;

// As the machine's notes say: no sandbox as root, and no background connections to a closed network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is (WCAG 2.x A and
 * AA rules). Run through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE_SOURCE};undefined`);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: unknown[] }> } })
      .axe;
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A port free right now, so PUBLIC_URL (and the web client's redirect URI) can name it before start. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** An event the page sent to POST /v5/events. */
export interface SentEvent {
  kind: string;
  impression_token: string;
  pin_id: string;
  surface?: string;
}

/** What POST /v5/events answered the page. */
export interface EventsAnswer {
  accepted: number;
  duplicates: number;
  rejected: unknown[];
}

export interface WebApp {
  /** The server's origin, e.g. http://127.0.0.1:41234. */
  base: string;
  browser: Browser;
  /** The first person's browser (cookies, storage). */
  context: BrowserContext;
  page: Page;
  /** Every event `page` sent, and every answer it got. */
  sent: SentEvent[];
  answers: EventsAnswer[];
  /** Another browser profile (its own cookies and storage): a second person. */
  newPerson(): Promise<{ context: BrowserContext; page: Page }>;
  /** Saves a screenshot of `on` (default `page`) and checks it with axe-core: no serious or critical violation. */
  shot(name: string, on?: Page): Promise<void>;
  /** Waits until every picture drawn in view has loaded. */
  picturesLoaded(on?: Page): Promise<void>;
  /** Signs a new account up through the app's sign-in, the consent page (PKCE) and back to the home feed. */
  signUp(on: Page, person: { username: string; email?: string; password?: string }): Promise<string>;
  /** The bearer token the app holds in `on`. */
  tokenOf(on: Page): Promise<string>;
  /** Calls the API as `token` (for arranging and checking what the browser cannot see). */
  api<T = unknown>(
    token: string,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Polls `check` until it holds (test/helpers/app.ts), or fails saying what it waited for. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  await poll(async () => await check(), ms, 100).catch(() => {
    throw new Error(`timed out waiting for ${what}`);
  });
}

/** Starts a server with the demo world and Chromium; call in beforeAll with HARNESS_START_MS. */
export async function startWebApp(env: Record<string, string> = {}): Promise<WebApp> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; ` +
        'bash .ci/run does), or set CHROMIUM_PATH. To skip the browser tests on purpose, set CORKBOARD_SKIP_BROWSER=1.',
    );
  }
  await mkdir(SHOTS, { recursive: true });
  // The app the server serves: built now if missing or older than its sources (as `npm start` does).
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts/build-web.mjs')], { cwd: ROOT });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const place = await processEnv({
    SEED_DEMO: 'true',
    LOG_LEVEL: 'info',
    PORT: String(port),
    PUBLIC_URL: base,
    ...env,
  });
  const server = new Child('web-server', ['src/main.ts', 'serve'], place.env);
  let browser: Browser | undefined;
  try {
    await server.waitFor((l) => l.msg === 'corkboard listening', STARTUP_MS * 2);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (err) {
    await browser?.close();
    await server.stop();
    await place.cleanup();
    throw err;
  }
  const b = browser;

  const newPerson = async () => {
    const context = await b.newContext({ viewport: DESKTOP });
    // Outbound links lead off this machine (whose network is closed): answer them here.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<title>elsewhere</title>' }),
    );
    return { context, page: await context.newPage() };
  };

  const { context, page } = await newPerson();
  const sent: SentEvent[] = [];
  const answers: EventsAnswer[] = [];
  page.on('response', async (res) => {
    if (res.request().method() === 'POST' && res.url() === `${base}/v5/events` && res.ok()) {
      // A page navigated away from (or closed) takes the answer's body with it: that answer is not counted.
      const answer = await res.json().catch(() => undefined);
      if (answer) answers.push(answer);
    }
  });
  page.on('request', (req: Request) => {
    if (req.method() === 'POST' && req.url() === `${base}/v5/events`) {
      sent.push(...(JSON.parse(req.postData() ?? '{}') as { events: SentEvent[] }).events);
    }
  });

  const tokenOf = async (on: Page) => {
    const token = await on.evaluate(() => sessionStorage.getItem('corkboard.token'));
    if (!token) throw new Error('the app holds no token in this page');
    return token;
  };

  return {
    base,
    browser: b,
    context,
    page,
    sent,
    answers,
    newPerson,
    async shot(name, on = page) {
      await on.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
      expect(await axeViolations(on), name).toEqual([]);
    },
    async picturesLoaded(on = page) {
      await on.waitForFunction(() =>
        [...document.querySelectorAll('img')]
          .filter((i) => i.getBoundingClientRect().top < innerHeight)
          .every((i) => i.complete && i.naturalWidth > 0),
      );
    },
    async signUp(on, person) {
      await on.goto(`${base}/`);
      await on.waitForURL(/\/signin/);
      await on.getByRole('button', { name: 'Create an account' }).click();
      await on.waitForURL(/\/oauth\/\?/);
      await on.getByLabel('Username', { exact: true }).fill(person.username);
      await on.getByLabel('Email', { exact: true }).fill(person.email ?? `${person.username}@example.org`);
      await on.getByLabel('Password (8 characters or more)').fill(person.password ?? 'a long password');
      await on.getByRole('button', { name: 'Create account' }).click();
      await on.getByRole('button', { name: 'Allow' }).click();
      await on.waitForURL(`${base}/`);
      return tokenOf(on);
    },
    tokenOf,
    async api(token, method, url, body) {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
    },
    async stop() {
      await b.close();
      await server.stop();
      await place.cleanup();
    },
  };
}
