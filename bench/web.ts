/**
 * Web app bench (`npx tsx bench/web.ts`): the budgets of the web app's home feed, in Debian's Chromium
 * (`/usr/bin/chromium` or CHROMIUM_PATH) driven by playwright-core, against a real server.
 *
 * World: `corkboard seed --pins BENCH_PINS (5000) --seed 1`, and a new person (`corkboard token --create`)
 * whose home feed is the cold-start feed over every public pin. Embedded by default; services mode with
 * DATABASE_URL and REDIS_URL (as every bench that runs in either mode: bench/settings.ts).
 *
 * 1. First load: the JavaScript the home feed loads (bytes as served, and gzip-compressed as a server or
 *    proxy in front of it would send them; budget 150 kB compressed), and the time from navigation to the
 *    first pin's picture painted, against the time the same browser takes to paint that one picture alone
 *    on an empty page (the baseline of the same run).
 * 2. Scrolling: the page scrolls down at BENCH_SCROLL_PX_S (2,400 px/s) until the BENCH_SCROLL_PINS-th (500th)
 *    pin has come into view, loading pages through the feed's bookmarks as a person's scrolling does;
 *    every frame's interval is recorded (requestAnimationFrame). Baseline: a plain HTML page with the same
 *    pictures at the same sizes in absolutely placed boxes (lazy-loading images, no script), scrolled the
 *    same way. Reported: frames a second, the 95th and 99th percentile frame interval, the share of
 *    frames over 25 ms (a dropped frame at 60 Hz), and layout shift.
 *
 * BENCH_ROUNDS (2) alternates app and baseline. Results: stdout and bench/results/web.json.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { freePort, runBench, runCommand, startChild, stopAll } from './processes.js';
import { fmt, log, writeResults } from './report.js';
import { dropBenchPlace, envNumber, modeEnv, modePlace, percentile, seedPins } from './settings.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const S = {
  // A new person's feed is the popular pool (the most saved pins and the newest): 5,000 pins give it 500.
  pins: envNumber('BENCH_PINS', 5000, 600),
  scrollPins: envNumber('BENCH_SCROLL_PINS', 500, 50),
  speed: envNumber('BENCH_SCROLL_PX_S', 2400, 100),
  rounds: envNumber('BENCH_ROUNDS', 2, 1),
};
const VIEWPORT = { width: 1280, height: 800 };
const SCOPES = 'user_accounts:read,boards:read,pins:read';

interface FeedPin {
  id: string;
  media?: { images?: Record<string, { url: string; width: number; height: number }> };
}

/** A scroll's figures: frame intervals in ms, and the layout shift seen. */
interface Scroll {
  frames: number[];
  seconds: number;
  shift: number;
  /** What moved (the first ten layout-shift sources), when anything did. */
  shifted: string[];
  pins: number;
}

/**
 * Scrolls `page` down at S.speed px/s until `done()` holds in the page (or the page stops growing for
 * 10 s), recording every frame's interval and the layout shift (PerformanceObserver).
 */
async function scroll(page: Page, target: number): Promise<Scroll> {
  return page.evaluate(`(${SCROLL_IN_PAGE})(${S.speed}, ${target})`) as Promise<Scroll>;
}

// In the page (plain JS, run by the browser: the bench's TypeScript has no DOM types).
const SCROLL_IN_PAGE = `(speed, target) => new Promise((resolve) => {
  let shift = 0;
  const shifted = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      shift += e.value;
      for (const src of e.sources || []) {
        const n = src.node;
        if (n && shifted.length < 10) shifted.push((n.nodeName || '') + '.' + (n.className || '') + ' ' + JSON.stringify(src.previousRect) + ' -> ' + JSON.stringify(src.currentRect) + ' at ' + Math.round(e.startTime));
      }
    }
  }).observe({ type: 'layout-shift' });
  // Pins scrolled into view so far: the deepest index whose box has come above the window's bottom.
  const laid = () => Math.max(-1, ...[...document.querySelectorAll('[data-index]')]
    .filter((e) => e.getBoundingClientRect().top < innerHeight)
    .map((e) => Number(e.getAttribute('data-index')))) + 1;
  const frames = [];
  let last = performance.now();
  let start = last;
  let stuckSince = last;
  let lastY = scrollY;
  const step = (now) => {
    const dt = now - last;
    frames.push(dt);
    last = now;
    scrollBy(0, (speed * dt) / 1000);
    if (scrollY !== lastY) stuckSince = now;
    lastY = scrollY;
    if (laid() >= target || now - stuckSince > 10000) {
      resolve({ frames: frames.slice(1), seconds: (now - start) / 1000, shift, shifted, pins: laid() });
    } else requestAnimationFrame(step);
  };
  requestAnimationFrame((t) => { last = t; start = t; stuckSince = t; requestAnimationFrame(step); });
})`;

// The time from navigation to the first grid picture painted (as the browser test measures it).
const FIRST_PIN_IN_PAGE = `new Promise((resolve) => {
  const check = () => {
    const img = document.querySelector('.masonry-item img');
    if (img && img.complete && img.naturalWidth > 0) resolve(performance.now());
    else requestAnimationFrame(check);
  };
  check();
})`;

// The time to load and paint one picture on an empty page.
const PICTURE_ALONE_IN_PAGE = (src: string) => `new Promise((resolve) => {
  const t0 = performance.now();
  const img = new Image();
  img.onload = () => requestAnimationFrame(() => resolve(performance.now() - t0));
  img.src = ${JSON.stringify(src)};
  document.body.append(img);
})`;

function frameFigures(s: Scroll) {
  return {
    fps: s.frames.length / s.seconds,
    p95Ms: percentile(s.frames, 95),
    p99Ms: percentile(s.frames, 99),
    dropped: s.frames.filter((f) => f > 25).length / Math.max(1, s.frames.length),
    shift: s.shift,
    shifted: s.shifted,
    pins: s.pins,
    seconds: s.seconds,
  };
}

/** The feed's first `n` pins with their pictures, read through the API as the app reads them. */
async function feedPins(base: string, token: string, n: number): Promise<FeedPin[]> {
  const out: FeedPin[] = [];
  let bookmark: string | undefined;
  while (out.length < n) {
    const q = new URLSearchParams({ page_size: '50', ...(bookmark ? { bookmark } : {}) });
    const res = await fetch(`${base}/v5/feeds/home?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET /v5/feeds/home: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: FeedPin[]; bookmark?: string | null };
    out.push(...page.items);
    if (!page.bookmark || page.items.length === 0) break;
    bookmark = page.bookmark;
  }
  if (out.length < n) throw new Error(`the feed gave ${out.length} pins, fewer than ${n}: raise BENCH_PINS`);
  return out.slice(0, n);
}

/** A plain page of the same pictures: five 236 px columns, boxes placed in the shortest column. */
function plainPage(pins: FeedPin[]): string {
  const heights = [0, 0, 0, 0, 0];
  const boxes = pins.map((p, i) => {
    const images = Object.values(p.media?.images ?? {});
    const img = images.sort((a, b) => b.width - a.width)[0];
    const h = img ? Math.round((236 * img.height) / img.width) : 236;
    const col = heights.indexOf(Math.min(...heights));
    const y = heights[col]!;
    heights[col] = y + h + 16;
    return `<div data-index="${i}" style="position:absolute;left:${col * 252}px;top:${y}px;width:236px;height:${h}px;background:#ddd;border-radius:16px;overflow:hidden"><img loading="lazy" src="${img?.url ?? ''}" width="236" height="${h}" alt=""></div>`;
  });
  return `<!doctype html><html><body style="margin:0"><div style="position:relative;margin:0 auto;width:1256px;height:${Math.max(...heights)}px">${boxes.join('')}</div></body></html>`;
}

async function firstLoad(browser: Browser, base: string, token: string) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(`sessionStorage.setItem('corkboard.token', ${JSON.stringify(token)})`);
  const page = await context.newPage();
  const scripts: { url: string; bytes: number; gzip: number }[] = [];
  page.on('response', async (res) => {
    if (res.request().resourceType() !== 'script') return;
    const body = await res.body();
    scripts.push({ url: res.url(), bytes: body.length, gzip: gzipSync(body).length });
  });
  await page.goto(`${base}/`);
  const paintedMs = (await page.evaluate(FIRST_PIN_IN_PAGE)) as number;
  const firstImage = await page.locator('.masonry-item img').first().getAttribute('src');
  await context.close();
  // The same picture alone on an empty page: the browser's and the server's floor for a painted picture.
  const bare = await browser.newContext({ viewport: VIEWPORT });
  const alone = await bare.newPage();
  await alone.goto(`${base}/healthz`).catch(() => undefined);
  const bareMs = (await alone.evaluate(PICTURE_ALONE_IN_PAGE(firstImage!))) as number;
  await bare.close();
  return {
    scripts,
    jsBytes: scripts.reduce((a, s) => a + s.bytes, 0),
    jsGzip: scripts.reduce((a, s) => a + s.gzip, 0),
    paintedMs,
    bareMs,
  };
}

async function main() {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not at ${CHROMIUM} (apt-get install chromium, or CHROMIUM_PATH)`);
  const place = modePlace('web');
  log(
    `Web app bench — ${place.databaseUrl ? 'services' : 'embedded'} mode, ${S.pins} pins, scroll to ${S.scrollPins} pins at ${S.speed} px/s, ${S.rounds} rounds, Chromium at ${VIEWPORT.width}×${VIEWPORT.height}\n`,
  );
  let browser: Browser | undefined;
  try {
    await seedPins(place, S.pins);
    const env = modeEnv(place);
    const token = (
      await runCommand(
        'corkboard token',
        ['src/main.ts', 'token', '--user', 'bench_web', '--create', '--scopes', SCOPES, '--days', '1'],
        env,
        120_000,
      )
    ).trim();
    await runCommand('build web', [path.join(ROOT, 'scripts/build-web.mjs')], env, 300_000);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    await startChild(
      'corkboard server',
      ['src/main.ts', 'serve'],
      { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base },
      120_000,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });

    const loads = [];
    for (let r = 0; r < S.rounds; r++) loads.push(await firstLoad(browser, base, token));
    const load = loads[loads.length - 1]!;
    for (const s of load.scripts)
      log(
        `  script ${s.url.replace(base, '')}: ${fmt(s.bytes / 1024, 1)} kB, ${fmt(s.gzip / 1024, 1)} kB gzip`,
      );
    const painted = loads.map((l) => l.paintedMs);
    const bare = loads.map((l) => l.bareMs);
    log(
      `First load: ${fmt(load.jsGzip / 1024, 1)} kB of JavaScript gzip (${fmt(load.jsBytes / 1024, 1)} kB as served; budget 150 kB gzip); first pin painted ${painted.map((m) => fmt(m)).join(', ')} ms, the picture alone ${bare.map((m) => fmt(m)).join(', ')} ms`,
    );

    const pins = await feedPins(base, token, S.scrollPins);
    const html = plainPage(pins);
    const app: ReturnType<typeof frameFigures>[] = [];
    const plain: ReturnType<typeof frameFigures>[] = [];
    for (let r = 0; r < S.rounds; r++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      await context.addInitScript(`sessionStorage.setItem('corkboard.token', ${JSON.stringify(token)})`);
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.waitForSelector('.masonry-item img');
      app.push(frameFigures(await scroll(page, S.scrollPins)));
      await context.close();
      const bctx = await browser.newContext({ viewport: VIEWPORT });
      const bpage = await bctx.newPage();
      await bpage.goto(`${base}/healthz`).catch(() => undefined);
      await bpage.setContent(html);
      plain.push(frameFigures(await scroll(bpage, S.scrollPins)));
      await bctx.close();
      const a = app[r]!;
      const p = plain[r]!;
      for (const what of a.shifted) log(`  app layout shift: ${what}`);
      log(
        `  round ${r + 1}: app ${fmt(a.fps, 1)} fps (p95 ${fmt(a.p95Ms, 1)} ms, p99 ${fmt(a.p99Ms, 1)} ms, ${fmt(a.dropped * 100, 1)}% over 25 ms, shift ${fmt(a.shift, 3)}, ${a.pins} pins in ${fmt(a.seconds, 1)} s); plain page ${fmt(p.fps, 1)} fps (p95 ${fmt(p.p95Ms, 1)} ms, p99 ${fmt(p.p99Ms, 1)} ms, ${fmt(p.dropped * 100, 1)}% over 25 ms)`,
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const appFps = mean(app.map((a) => a.fps));
    const plainFps = mean(plain.map((p) => p.fps));
    const paintRatio = mean(painted) / mean(bare);
    log(
      `\nScrolling ${S.scrollPins} pins: app ${fmt(appFps, 1)} fps, plain page ${fmt(plainFps, 1)} fps: ratio ${fmt(appFps / plainFps, 2)} (budget: 60 fps); first pin painted / picture alone = ${fmt(paintRatio, 2)}`,
    );
    await writeResults(path.join(ROOT, 'bench/results/web.json'), {
      settings: S,
      firstLoad: {
        jsBytes: load.jsBytes,
        jsGzip: load.jsGzip,
        scripts: load.scripts.map((s) => ({ ...s, url: s.url.replace(base, '') })),
        paintedMs: painted,
        bareMs: bare,
        paintRatio,
      },
      scroll: { app, plain, fpsRatio: appFps / plainFps },
    });
  } finally {
    await browser?.close();
    await stopAll();
    await dropBenchPlace(place);
  }
}

await runBench(main);
