// Experiment assignment of one person to every running experiment, against the GrowthBook SDK:
//
//   npx tsx bench/experiments-assignment.ts
//
// The same 50 experiments on both sides: 5 layers of 10 mutually exclusive experiments, each layer with a
// holdout, the experiments with 2 to 4 variants of uneven weights, ramps of 20% to 100% and, for half of
// them, targeting (country, platform, new people, locale). Corkboard: `assignAll(unit, plan)` over the
// compiled layers. GrowthBook (`@growthbook/growthbook`, the server-side `GrowthBookClient`): 50 features,
// each one experiment rule with the same weights, coverage = ramp, a filter (GrowthBook's namespaces)
// giving it the same share of its layer, and the targeting as a condition; one `evalFeature` per feature
// for the person's attributes. People are drawn from a pool of BENCH_PEOPLE (2,000) with varied
// attributes, one per operation. Rounds alternate (GrowthBook, Corkboard, ...) and the report gives
// medians of people assigned per second and their ratio (target: Corkboard ≥ 1.0 × GrowthBook).
//
// Results: stdout and bench/results/experiments-assignment.json.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConditionInterface, type FeatureDefinition, GrowthBookClient } from '@growthbook/growthbook';
import {
  assignAll,
  BUCKETS,
  compileLayers,
  type Experiment,
  type Layer,
  type Targeting,
  type Unit,
} from '../src/modules/experiments/assignment/index.js';
import { prng as rng } from './prng.js';
import { log, writeResults } from './report.js';
import { envNumber, percentile } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'experiments-assignment.json');
const PEOPLE = envNumber('BENCH_PEOPLE', 2000, 1);
const ROUNDS = envNumber('BENCH_ROUNDS', 5, 1);
const ROUND_MS = envNumber('BENCH_ROUND_MS', 400, 50);
const LAYERS = 5;
const PER_LAYER = 10;

// ---- the experiments -------------------------------------------------------------------------------------
const WEIGHTS = [
  [50, 50],
  [2, 1, 1],
  [1, 1, 1, 1],
  [90, 10],
  [1, 2, 3],
];
const RAMPS = [10_000, 10_000, 5000, 2000, 10_000];
/** Targeting of experiment i of a layer: none for the even ones, one or two rules for the odd ones. */
const TARGETING: Targeting[] = [
  { countries: ['US', 'GB', 'CA'] },
  { platforms: ['ios', 'android'] },
  { audience: 'new' },
  { locales: ['en'], countries: ['US', 'GB'] },
  { platforms: ['web'], audience: 'returning' },
];

const layers: Layer[] = Array.from({ length: LAYERS }, (_, l) => {
  const holdout = 100 * (l + 1); // 1% to 5%
  const size = Math.floor((BUCKETS - holdout) / PER_LAYER);
  const experiments: Experiment[] = Array.from({ length: PER_LAYER }, (_, i) => {
    const start = holdout + i * size;
    return {
      key: `exp-${l}-${i}`,
      salt: `exp-${l}-${i}-2026-12`,
      layer: `layer-${l}`,
      buckets: [{ start, end: i === PER_LAYER - 1 ? BUCKETS : start + size }],
      variants: WEIGHTS[(l + i) % WEIGHTS.length]!.map((weight, v) => ({
        key: `v${v}`,
        weight,
        params: { value: { type: 'number', value: v } },
      })),
      targeting: i % 2 === 0 ? {} : TARGETING[(l + i) % TARGETING.length]!,
      ramp: RAMPS[i % RAMPS.length]!,
      status: 'running',
    };
  });
  return { key: `layer-${l}`, salt: `layer-${l}-salt`, holdout, experiments };
});
const plan = compileLayers(layers);

// ---- the same experiments as GrowthBook features ----------------------------------------------------------
/** Our targeting as a GrowthBook condition (locales written out: `en` covers these tags here). */
function condition(t: Targeting): ConditionInterface | undefined {
  const c: Record<string, unknown> = {};
  if (t.countries) c.country = { $in: t.countries };
  if (t.platforms) c.platform = { $in: t.platforms };
  if (t.audience) c.isNew = t.audience === 'new';
  if (t.locales) c.locale = { $in: ['en', 'en-US', 'en-GB', 'en-CA'] };
  return Object.keys(c).length > 0 ? (c as ConditionInterface) : undefined;
}

const features: Record<string, FeatureDefinition> = {};
for (const layer of layers)
  for (const e of layer.experiments) {
    const total = e.variants.reduce((s, v) => s + v.weight, 0);
    const range = e.buckets[0]!;
    const cond = condition(e.targeting);
    features[e.key] = {
      defaultValue: -1,
      rules: [
        {
          key: e.key,
          seed: e.salt,
          hashAttribute: 'id',
          hashVersion: 2,
          variations: e.variants.map((_, v) => v),
          weights: e.variants.map((v) => v.weight / total),
          coverage: e.ramp / BUCKETS,
          filters: [
            {
              seed: layer.key,
              attribute: 'id',
              hashVersion: 2,
              ranges: [[range.start / BUCKETS, range.end / BUCKETS]],
            },
          ],
          ...(cond ? { condition: cond } : {}),
        },
      ],
    };
  }
const featureKeys = Object.keys(features);
const client = new GrowthBookClient({}).initSync({ payload: { features }, streaming: false });

// ---- the people --------------------------------------------------------------------------------------------
const rand = rng(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const USER_ID_BASE = (1n << 46n) | (1n << 36n);
const units: Unit[] = Array.from({ length: PEOPLE }, (_, i) => ({
  id:
    rand() < 0.1
      ? `d-${Math.floor(rand() * 2 ** 32).toString(16)}`
      : String(USER_ID_BASE + BigInt(i * 7 + 1)),
  attributes: {
    isNew: rand() < 0.2,
    country: pick(['US', 'US', 'GB', 'CA', 'FR', 'DE', 'BR', 'JP']),
    platform: pick(['web', 'web', 'ios', 'android']),
    locale: pick(['en-US', 'en-GB', 'en-CA', 'fr-FR', 'de-DE', 'pt-BR', 'ja-JP']),
  },
}));
// GrowthBook takes a person as a user context; built once per person, as a server would per request.
const contexts = units.map((u) => ({ attributes: { id: u.id, ...u.attributes } }));

/** Corkboard: every running experiment of one person; returns how many they are in. */
function corkboard(i: number): number {
  return assignAll(units[i % PEOPLE]!, plan).length;
}

/** GrowthBook: every feature evaluated for one person; returns how many experiments they are in. */
function growthbook(i: number): number {
  const ctx = contexts[i % PEOPLE]!;
  let inExperiment = 0;
  for (let k = 0; k < featureKeys.length; k++)
    if (client.evalFeature(featureKeys[k]!, ctx).source === 'experiment') inExperiment++;
  return inExperiment;
}

// Both sides should put people in about as many experiments: the same shares, different hashes.
const joined = (f: (i: number) => number) => {
  let n = 0;
  for (let i = 0; i < PEOPLE; i++) n += f(i);
  return n / PEOPLE;
};
const corkboardJoined = joined(corkboard);
const growthbookJoined = joined(growthbook);

/** People assigned per second over `ms` milliseconds. */
function rate(run: (i: number) => number, ms: number): number {
  let n = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let k = 0; k < 50; k++) sink += run(n++);
    now = performance.now();
  }
  if (sink < 0) log('unreachable');
  return (n * 1000) / (now - start);
}

rate(growthbook, ROUND_MS);
rate(corkboard, ROUND_MS);
const gbRates: number[] = [];
const cbRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  gbRates.push(rate(growthbook, ROUND_MS));
  cbRates.push(rate(corkboard, ROUND_MS));
}
const median = (xs: number[]) => percentile(xs, 50);
const gb = median(gbRates);
const cb = median(cbRates);
const ratio = cb / gb;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

log(
  `${LAYERS * PER_LAYER} running experiments in ${LAYERS} layers, ${PEOPLE} people, ${ROUNDS} rounds of ${ROUND_MS} ms`,
);
log(
  `experiments joined per person: Corkboard ${corkboardJoined.toFixed(2)}, GrowthBook ${growthbookJoined.toFixed(2)}`,
);
log(`GrowthBook (GrowthBookClient.evalFeature × ${featureKeys.length}): ${fmt(gb)} people/s`);
log(`Corkboard (assignAll):                          ${fmt(cb)} people/s`);
log(`ratio Corkboard / GrowthBook: ${ratio.toFixed(2)} (target ≥ 1.0: ${ratio >= 1 ? 'meets' : 'BELOW'})`);
await writeResults(RESULTS, {
  date: new Date().toISOString(),
  node: process.version,
  experiments: LAYERS * PER_LAYER,
  layers: LAYERS,
  people: PEOPLE,
  rounds: ROUNDS,
  roundMs: ROUND_MS,
  joinedPerPerson: { corkboard: corkboardJoined, growthbook: growthbookJoined },
  peoplePerSecond: { corkboard: cb, growthbook: gb, corkboardRounds: cbRates, growthbookRounds: gbRates },
  ratio,
});
