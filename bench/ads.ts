// The ad server's hot path, in process (no HTTP):
//
//   npx tsx bench/ads.ts
//
// (a) The auction over BENCH_CANDIDATES (1,000) eligible candidates for BENCH_SLOTS (3) slots, against a
//     bare typed-array loop that scores the same candidates (bid × pCTR × 1000) and keeps the top slots;
//     rounds alternate, the ratio is auctions/s over bare loops/s (target: at least 0.5). The auction
//     reads the candidates as the ad server hands them over, in columns filled once (as the bare loop's
//     arrays are); auctions/s from candidate objects (laid into columns on every call) are measured after
//     the comparison and shown too.
// (b) Ad selection (AdServer.select: catalog candidates, eligibility, scoring, auction, budget
//     reservations in the in-process spend store) with BENCH_ADS (10,000) live ads of realistic targeting,
//     for home-feed and search requests of varied viewers: p50 and p99 per request (target: p99 under 5 ms).
import { CatalogSnapshot, type ServableAd } from '../src/modules/ads/serving/ad-catalog.js';
import { AdServer } from '../src/modules/ads/serving/ad-server.js';
import type { Candidate } from '../src/modules/ads/serving/auction.js';
import { CandidateColumns, runAuction } from '../src/modules/ads/serving/candidate-columns.js';
import { CtrBook } from '../src/modules/ads/serving/ctr-book.js';
import { compileTargeting, type ViewerProfile } from '../src/modules/ads/serving/eligibility.js';
import { MemorySpendStore } from '../src/platform/spend/memory-spend-store.js';
import { prng as rng } from './prng.js';
import { envNumber, percentile } from './settings.js';

const CANDIDATES = envNumber('BENCH_CANDIDATES', 1000, 1);
const SLOTS = envNumber('BENCH_SLOTS', 3, 1);
const ADS = envNumber('BENCH_ADS', 10_000, 1);
const REQUESTS = envNumber('BENCH_REQUESTS', 5_000, 100);
const ROUNDS = envNumber('BENCH_ROUNDS', 5, 1);

// ---- (a) the auction against a bare loop ---------------------------------------------------------------
const rand = rng(1);
const candidates: Candidate[] = Array.from({ length: CANDIDATES }, (_, i) => ({
  adId: String(100_000 + i),
  adGroupId: `g${i}`,
  advertiserId: `adv${Math.floor(rand() * (CANDIDATES / 3))}`,
  pinId: `p${i}`,
  billableEvent: rand() < 0.3 ? 'IMPRESSION' : 'CLICKTHROUGH',
  bidMicro: 100_000 + Math.floor(rand() * 3_000_000),
  floorMicro: 100_000,
  pctr: 0.002 + rand() * 0.03,
  relevance: 0.3 + rand() * 0.7,
}));
const columns = new CandidateColumns<Candidate>();
columns.addCandidates(candidates);
const bids = Float64Array.from(candidates, (c) => c.bidMicro);
const rates = Float64Array.from(candidates, (c) => (c.billableEvent === 'IMPRESSION' ? 1 : c.pctr * 1000));

/** Scores every candidate and keeps the top SLOTS indexes by insertion: the least an auction must do. */
function bareLoop(): number {
  const top = new Int32Array(SLOTS).fill(-1);
  const score = new Float64Array(SLOTS).fill(-1);
  for (let i = 0; i < bids.length; i++) {
    const e = bids[i]! * rates[i]!;
    if (e <= score[SLOTS - 1]!) continue;
    let j = SLOTS - 1;
    while (j > 0 && score[j - 1]! < e) {
      score[j] = score[j - 1]!;
      top[j] = top[j - 1]!;
      j--;
    }
    score[j] = e;
    top[j] = i;
  }
  return top[0]!;
}

function rate(run: (i: number) => unknown, ms = 400): number {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) for (let k = 0; k < 20; k++) run(n++);
  return (n * 1000) / ms;
}

const auctionRates: number[] = [];
const bareRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  bareRates.push(rate(() => bareLoop()));
  auctionRates.push(
    rate((i) => columns.run({ slots: SLOTS, reserveEcpmMicro: 1_000_000, minRelevance: 0.2, seed: `r${i}` })),
  );
}
// Apart from the comparison: the same auctions from candidate objects.
const objectRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  objectRates.push(
    rate((i) =>
      runAuction({ candidates, slots: SLOTS, reserveEcpmMicro: 1_000_000, minRelevance: 0.2, seed: `r${i}` }),
    ),
  );
}
const median = (xs: number[]) => percentile(xs, 50);
console.log(
  `auction: ${CANDIDATES} candidates, ${SLOTS} slots: ${Math.round(median(auctionRates))} auctions/s, bare loop ${Math.round(median(bareRates))}/s, ratio ${(median(auctionRates) / median(bareRates)).toFixed(3)}; from candidate objects ${Math.round(median(objectRates))} auctions/s`,
);

// ---- (b) ad selection with a catalog of live ads -------------------------------------------------------
const INTERESTS = Array.from({ length: 24 }, (_, i) => `9030000000${String(i + 1).padStart(2, '0')}`);
const WORDS = [
  'lamp',
  'rug',
  'sofa',
  'recipe',
  'cake',
  'garden',
  'plant',
  'dress',
  'shoe',
  'travel',
  'beach',
  'hike',
];
const r2 = rng(2);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(r2() * xs.length)]!;
const ads: ServableAd[] = Array.from({ length: ADS }, (_, i) => {
  const targeting: Record<string, string[]> = {};
  if (r2() < 0.7) targeting.INTEREST = [pick(INTERESTS), pick(INTERESTS)];
  if (r2() < 0.3) targeting.GENDER = [pick(['female', 'male', 'unknown'])];
  if (r2() < 0.3) targeting.LOCATION = [pick(['US', 'GB', 'CA', 'FR'])];
  const placement = r2() < 0.5 ? 'ALL' : r2() < 0.6 ? 'BROWSE' : 'SEARCH';
  const keywords =
    placement === 'BROWSE'
      ? []
      : [{ value: `${pick(WORDS)} ${pick(WORDS)}`, matchType: pick(['BROAD', 'PHRASE', 'EXACT'] as const) }];
  return {
    adId: String(1_000_000 + i),
    adGroupId: String(2_000_000 + Math.floor(i / 2)),
    campaignId: String(3_000_000 + Math.floor(i / 6)),
    accountId: String(4_000_000 + Math.floor(i / 30)),
    advertiserId: String(5_000_000 + Math.floor(i / 30)),
    advertiserName: `Advertiser ${Math.floor(i / 30)}`,
    currency: 'USD',
    pinId: String(6_000_000 + i),
    destinationUrl: null,
    billableEvent: r2() < 0.3 ? 'IMPRESSION' : 'CLICKTHROUGH',
    bidMicro: 150_000 + Math.floor(r2() * 2_000_000),
    bidStrategy: 'MAX_BID',
    budgetType: 'DAILY',
    budgetMicro: 1_000_000_000_000,
    pacing: 'STANDARD',
    campaignDailyCapMicro: null,
    campaignLifetimeCapMicro: null,
    pinInterests: new Set<string>(),
    group: {
      id: String(2_000_000 + Math.floor(i / 2)),
      status: 'ACTIVE',
      campaignStatus: 'ACTIVE',
      start: null,
      end: null,
      campaignStart: null,
      campaignEnd: null,
      placementGroup: placement,
      targeting,
      rules: compileTargeting(targeting),
      keywords,
      inheritedNegatives: [],
      frequencyCap: null,
    },
  };
});
const snapshot = new CatalogSnapshot(ads);
// One book between reloads, as a node holds it (its predictions are kept per ad and placement).
const book = CtrBook.empty();
const server = new AdServer({
  catalog: { snapshot: () => snapshot },
  ctr: () => book,
  spend: new MemorySpendStore(),
  settings: {
    reserveEcpmMicro: { BROWSE: 500_000, SEARCH: 800_000 },
    minRelevance: 0.2,
    reservationTtlMs: 60_000,
  },
  relevance: () => 1,
  effectiveBid: (ad) => ad.bidMicro,
  floor: () => 100_000,
});
const viewers: ViewerProfile[] = Array.from({ length: 200 }, (_, i) => ({
  userId: String(i),
  interests: new Set([pick(INTERESTS), pick(INTERESTS), pick(INTERESTS)]),
  locale: 'en-US',
  country: pick(['US', 'GB', 'CA', 'FR', null]),
  gender: pick(['female', 'male', null]),
  ageBucket: '25-34',
  appType: 'web',
  audiences: new Set(),
}));
const latencies: number[] = [];
// The same, per kind of request.
const sLat: number[] = [];
const bLat: number[] = [];
let served = 0;
for (let i = 0; i < REQUESTS; i++) {
  const search = i % 3 === 0;
  const started = performance.now();
  const { served: won } = await server.select({
    viewer: viewers[i % viewers.length]!,
    placement: search ? 'SEARCH' : 'BROWSE',
    query: search ? `${pick(WORDS)} ${pick(WORDS)} ideas` : undefined,
    nowMs: Date.now(),
    slots: 3,
    organicPinIds: new Set(),
    requestId: `q${i}`,
  });
  latencies.push(performance.now() - started);
  (search ? sLat : bLat).push(performance.now() - started);
  served += won.length;
}
const warm = latencies.slice(Math.floor(REQUESTS / 10));
console.log(
  `ad selection: ${ADS} live ads, ${REQUESTS} requests (1 in 3 search): p50 ${percentile(warm, 50).toFixed(3)} ms, p99 ${percentile(warm, 99).toFixed(3)} ms, ${(served / REQUESTS).toFixed(2)} ads per request`,
);
for (const [name, l] of [
  ['search', sLat],
  ['home feed', bLat],
] as const) {
  const w = l.slice(Math.floor(l.length / 10));
  console.log(
    `  ${name} requests: p50 ${percentile(w, 50).toFixed(3)} ms, p99 ${percentile(w, 99).toFixed(3)} ms`,
  );
}
