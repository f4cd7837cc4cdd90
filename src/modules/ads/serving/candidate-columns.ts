import {
  type AuctionInput,
  type AuctionResult,
  type AuctionRules,
  billableAt,
  type Candidate,
  type CandidateAd,
  fnv1a,
  perUnitFor,
  perUnitOf,
  type Scored,
  type Winner,
} from './auction.js';

/** Refusal codes of the auction log (0: eligible). */
const REFUSALS: (Scored['refused'] | undefined)[] = [undefined, 'bid', 'relevance', 'floor', 'reserve'];

const INITIAL_CAPACITY = 64;

function grown(array: Float64Array<ArrayBuffer>, capacity: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(capacity);
  out.set(array);
  return out;
}

/**
 * An auction's candidates as columns: their numbers in typed arrays (bid, floor, pCTR, its eCPM per micro
 * of bid, relevance) and who they are alongside. Filled by the caller as it finds candidates (`add`, no
 * object per candidate) and kept from one auction to the next (`clear` keeps the storage, and the ads past
 * the new length until they are overwritten), so an auction allocates nothing per candidate; a
 * `Candidate` object is made only for a winner or a logged candidate.
 *
 * The auction (`run`) scores the columns in one pass, rejecting on the spot what cannot enter the head of
 * the ranking (eCPM under the reserve, or under the last of a full head), and keeps the best few eligible
 * by insertion into a small buffer, more only when the winners' prices need them.
 */
export class CandidateColumns<A extends CandidateAd = CandidateAd> {
  private count = 0;
  private bid = new Float64Array(INITIAL_CAPACITY);
  private floor = new Float64Array(INITIAL_CAPACITY);
  private pctr = new Float64Array(INITIAL_CAPACITY);
  /** eCPM of one micro of bid: pCTR × 1000 per click, 1 per thousand impressions. */
  private perUnit = new Float64Array(INITIAL_CAPACITY);
  private relevance = new Float64Array(INITIAL_CAPACITY);
  private rate = new Float64Array(INITIAL_CAPACITY);
  private readonly ads: A[] = [];
  /** Candidate objects made (or given) for positions, so a winner and its log entry are one object. */
  private readonly objects: (Candidate | undefined)[] = [];

  // The current auction's state, reused.
  private headIndex = new Int32Array(32);
  private headEcpm = new Float64Array(32);
  private headLength = 0;
  /** fnv1a of the current auction's `<seed>:`, which each tie key continues with the ad id. */
  private seedHash = 0;
  /** Tie keys of this auction by position, hashed when first needed (NaN: not yet). */
  private tieKeys = new Float64Array(INITIAL_CAPACITY);
  /** {@link winsTie} as a function for the scoring pass (made once). */
  private readonly tie = (a: number, b: number) => this.winsTie(a, b);
  /** Slots won per advertiser while winners are resolved. */
  private readonly wins = new Map<string, number>();

  /** How many candidates are held. */
  get length(): number {
    return this.count;
  }

  /** Empties the columns for the next auction (their storage is kept). */
  clear(): void {
    this.count = 0;
  }

  /** Adds a candidate: `ad` says who it is and how it bills; the numbers as in {@link Candidate}. */
  add(ad: A, bidMicro: number, floorMicro: number, pctr: number, relevance: number, rate = 1): number {
    const i = this.count;
    if (i === this.bid.length) this.grow();
    this.bid[i] = bidMicro;
    this.floor[i] = floorMicro;
    this.pctr[i] = pctr;
    this.perUnit[i] = perUnitFor(ad.billableEvent, pctr, rate);
    this.relevance[i] = relevance;
    this.rate[i] = rate;
    this.ads[i] = ad;
    this.objects[i] = undefined;
    this.count = i + 1;
    return i;
  }

  /** Adds candidate objects: the auction's results name these very objects. */
  addCandidates(this: CandidateColumns<Candidate>, candidates: readonly Candidate[]): void {
    const start = this.count;
    const end = start + candidates.length;
    while (this.bid.length < end) this.grow();
    const { bid, floor, pctr, perUnit: perUnits, relevance, rate, ads, objects } = this;
    for (let i = start; i < end; i++) {
      const c = candidates[i - start]!;
      bid[i] = c.bidMicro;
      floor[i] = c.floorMicro;
      pctr[i] = c.pctr;
      perUnits[i] = perUnitOf(c);
      relevance[i] = c.relevance;
      rate[i] = c.rate ?? 1;
      ads[i] = c;
      objects[i] = c;
    }
    this.count = end;
  }

  /** The ad added at position `i`. */
  ad(i: number): A {
    return this.ads[i]!;
  }

  /** The candidate at position `i`, as an object (made once per position and fill). */
  candidate(i: number): Candidate {
    let c = this.objects[i];
    if (c === undefined) {
      const ad = this.ads[i]!;
      c = {
        adId: ad.adId,
        adGroupId: ad.adGroupId,
        advertiserId: ad.advertiserId,
        pinId: ad.pinId,
        billableEvent: ad.billableEvent,
        bidMicro: this.bid[i]!,
        floorMicro: this.floor[i]!,
        pctr: this.pctr[i]!,
        relevance: this.relevance[i]!,
        ...(this.rate[i] === 1 ? {} : { rate: this.rate[i]! }),
      };
      this.objects[i] = c;
    }
    return c;
  }

  private grow(): void {
    const capacity = this.bid.length * 2;
    this.bid = grown(this.bid, capacity);
    this.floor = grown(this.floor, capacity);
    this.pctr = grown(this.pctr, capacity);
    this.perUnit = grown(this.perUnit, capacity);
    this.relevance = grown(this.relevance, capacity);
    this.rate = grown(this.rate, capacity);
  }

  /**
   * Runs the auction on the candidates held: winners of up to `slots` slots, in slot order, with their
   * prices; with `log`, also every candidate scored and ranked (the auction log; sampled by the caller,
   * as ranking all is the dear part).
   */
  run(rules: AuctionRules, options: { log?: boolean } = {}): AuctionResult {
    // Read once: the rules are read as plain numbers whatever object holds them.
    const slots = rules.slots;
    const reserve = rules.reserveEcpmMicro;
    const minRelevance = rules.minRelevance;
    const perAdvertiser = rules.perAdvertiser ?? 1;
    const n = this.count;
    this.seedHash = fnv1a(`${rules.seed}:`);
    if (this.tieKeys.length < n) this.tieKeys = new Float64Array(this.bid.length);
    this.tieKeys.fill(Number.NaN, 0, n);
    let winners: Winner[] = [];
    if (slots > 0) {
      // The head first holds twice the slots and the ad pricing the last (room for an advertiser's
      // several ads); four times more each time a price needs an ad past it.
      for (let m = Math.min(n, Math.ceil(2 * (slots + 1))); ; m = Math.min(n, m * 4)) {
        const complete = this.rankHead(m, reserve, minRelevance);
        const resolved = this.resolve(slots, reserve, perAdvertiser, complete);
        if (resolved !== undefined) {
          winners = resolved;
          break;
        }
      }
    }
    const scored = options.log ? this.ranking(reserve, minRelevance) : [];
    return { winners, scored };
  }

  /**
   * The tie key of position `i`, fnv1a(`<seed>:<ad id>`), hashed when first needed in this auction (as the
   * seed's part continued with the ad id: the same number, with no string made).
   */
  private tieKey(i: number): number {
    let k = this.tieKeys[i]!;
    if (Number.isNaN(k)) {
      k = fnv1a(this.ads[i]!.adId, this.seedHash);
      this.tieKeys[i] = k;
    }
    return k;
  }

  /** Whether `a` would win a tie against `b`: the lower tie key, then the lower ad id. */
  private winsTie(a: number, b: number): boolean {
    const ka = this.tieKey(a);
    const kb = this.tieKey(b);
    return ka !== kb ? ka < kb : this.ads[a]!.adId < this.ads[b]!.adId;
  }

  /**
   * The best `m` eligible candidates, ranked, into the head buffer; answers whether they are all the
   * eligible ones (none was left out).
   */
  private rankHead(m: number, reserve: number, minRelevance: number): boolean {
    if (this.headIndex.length < m) {
      const capacity = Math.max(m, this.headIndex.length * 2);
      this.headIndex = new Int32Array(capacity);
      this.headEcpm = new Float64Array(capacity);
    }
    const kept = selectHead(
      this.bid,
      this.perUnit,
      this.relevance,
      this.floor,
      this.count,
      m,
      reserve,
      minRelevance,
      this.headIndex,
      this.headEcpm,
      this.tie,
    );
    this.headLength = kept < 0 ? -1 - kept : kept;
    return kept >= 0;
  }

  /** Winners and prices from the ranked head; undefined when a price needs a candidate past it. */
  private resolve(
    slots: number,
    reserveEcpm: number,
    perAdvertiser: number,
    complete: boolean,
  ): Winner[] | undefined {
    const head = this.headIndex;
    const score = this.headEcpm;
    const length = this.headLength;
    const out: Winner[] = [];
    const wins = this.wins;
    wins.clear();
    for (let r = 0; r < length && out.length < slots; r++) {
      const i = head[r]!;
      const advertiser = this.ads[i]!.advertiserId;
      const taken = wins.get(advertiser) ?? 0;
      if (taken >= perAdvertiser) continue;
      wins.set(advertiser, taken + 1);
      // The ad that would rank here without this one sets the price: the next eligible ad of another
      // advertiser that may still win (an advertiser never sets its own price).
      let next = r + 1;
      while (next < length) {
        const other = this.ads[head[next]!]!.advertiserId;
        if (other !== advertiser && (wins.get(other) ?? 0) < perAdvertiser) break;
        next++;
      }
      if (next === length && !complete) return undefined;
      const perUnit = this.perUnit[i]!;
      const reserve = billableAt(perUnit, reserveEcpm, false);
      const keep = next < length ? this.keepPrice(i, perUnit, head[next]!, score[next]!) : 0;
      const price = Math.min(this.bid[i]!, Math.max(keep, reserve, this.floor[i]!));
      out.push({
        candidate: this.candidate(i),
        index: i,
        slot: out.length,
        ecpm: score[r]!,
        priceMicro: price,
      });
    }
    if (out.length < slots && !complete) return undefined;
    return out;
  }

  /**
   * What `i` pays to keep its rank over `next` (eCPM `ecpm`): that eCPM converted back, enough if `i`
   * wins the tie there, else one micro more. The tie-break is asked only when the least amount reaching
   * the eCPM lands on it exactly (else the strict and the loose amounts are the same).
   */
  private keepPrice(i: number, perUnit: number, next: number, ecpm: number): number {
    const loose = billableAt(perUnit, ecpm, false);
    if (perUnit > 0 && loose * perUnit > ecpm) return loose;
    return billableAt(perUnit, ecpm, !this.winsTie(i, next));
  }

  /** Every candidate scored and ranked, the refused ones last: the auction log. */
  private ranking(reserve: number, minRelevance: number): Scored[] {
    const n = this.count;
    const ecpm = new Float64Array(n);
    const refusal = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const b = this.bid[i]!;
      const e = b * this.perUnit[i]!;
      ecpm[i] = e;
      if (!(b > 0) || !Number.isFinite(e)) refusal[i] = 1;
      else if (this.relevance[i]! < minRelevance) refusal[i] = 2;
      else if (b < this.floor[i]!) refusal[i] = 3;
      else if (e < reserve) refusal[i] = 4;
    }
    const scored: Scored[] = [];
    for (let i = 0; i < n; i++) {
      const reason = REFUSALS[refusal[i]!];
      const candidate = this.candidate(i);
      scored.push(
        reason
          ? { candidate, ecpm: ecpm[i]!, tieKey: this.tieKey(i), refused: reason }
          : { candidate, ecpm: ecpm[i]!, tieKey: this.tieKey(i) },
      );
    }
    const above = (a: number, b: number) => (ecpm[a] !== ecpm[b] ? ecpm[a]! > ecpm[b]! : this.winsTie(a, b));
    const order = scored.map((_, i) => i).sort((a, b) => (above(a, b) ? -1 : 1));
    const eligible = order.filter((i) => refusal[i] === 0).map((i) => scored[i]!);
    const refused = order.filter((i) => refusal[i] !== 0).map((i) => scored[i]!);
    return [...eligible, ...refused];
  }
}

/**
 * The scoring pass: the best `m` eligible of the first `n` candidates, ranked, into `index` (positions)
 * and `score` (their eCPMs). Answers how many were kept, as `-1 - kept` when an eligible candidate was
 * left out (so the head is not the whole ranking). A function of its columns given as arguments: the same
 * loop as a method reading them from the instance ran markedly slower.
 */
function selectHead(
  bid: Float64Array,
  perUnit: Float64Array,
  relevance: Float64Array,
  floor: Float64Array,
  n: number,
  m: number,
  reserve: number,
  minRelevance: number,
  index: Int32Array,
  score: Float64Array,
  winsTie: (a: number, b: number) => boolean,
): number {
  let count = 0;
  let dropped = false;
  // Whether an eligible candidate under the bar would be left out, and that is not known yet.
  let watch = false;
  // Under this eCPM a candidate cannot enter the head: the reserve, then the last of a full head.
  let bar = reserve;
  for (let i = 0; i < n; i++) {
    const b = bid[i]!;
    const e = b * perUnit[i]!;
    if (e < bar) {
      if (watch && b > 0 && Number.isFinite(e) && !(relevance[i]! < minRelevance) && !(b < floor[i]!)) {
        dropped = true;
        watch = false;
      }
      continue;
    }
    // At or over the bar, so at or over the reserve: the other refusals.
    if (!(b > 0) || !Number.isFinite(e) || relevance[i]! < minRelevance || b < floor[i]!) continue;
    let j: number;
    if (count < m) {
      j = count++;
    } else {
      // The head is full: this candidate or its last is left out.
      dropped = true;
      watch = false;
      if (e === score[m - 1] && !winsTie(i, index[m - 1]!)) continue;
      j = m - 1;
    }
    while (j > 0 && (e > score[j - 1]! || (e === score[j - 1] && winsTie(i, index[j - 1]!)))) {
      score[j] = score[j - 1]!;
      index[j] = index[j - 1]!;
      j--;
    }
    score[j] = e;
    index[j] = i;
    if (count === m) {
      bar = score[m - 1]!;
      if (!dropped) watch = true;
    }
  }
  return dropped ? -1 - count : count;
}

const scratch = new CandidateColumns<Candidate>();

/**
 * Runs the auction on candidate objects: they are laid into columns and {@link CandidateColumns.run}
 * runs it, so the results name the objects given.
 */
export function runAuction(input: AuctionInput, options: { log?: boolean } = {}): AuctionResult {
  scratch.clear();
  scratch.addCandidates(input.candidates);
  return scratch.run(input, options);
}
