/**
 * Where promoted pins go in a page of organic ones: at configured slots (the first at `firstSlot`, then
 * at least `spacing` organic items between two ads), never beside an organic pin of the same advertiser
 * (the ad moves down until it is not), and never twice the same pin (the ad server already left out the
 * page's own pins). Pure: positions follow from the page alone, so every node lays a page out alike.
 */

export interface InsertionSettings {
  /** Index in the page of the first ad (0-based). */
  readonly firstSlot: number;
  /** Organic items between two ads, at least. */
  readonly spacing: number;
}

/** The default layout: the first ad fourth, then at least seven organic pins between two ads. */
export const DEFAULT_INSERTION: InsertionSettings = { firstSlot: 3, spacing: 7 };

export interface PageItem {
  readonly pinId: string;
  /** Who owns the pin (for an ad: the advertiser). */
  readonly ownerId: string;
}

/**
 * How many ads a page of `organic` items can hold under the settings: the k-th ad (from 0) needs
 * firstSlot + k × spacing organic items before it.
 */
export function adSlots(organic: number, settings: InsertionSettings = DEFAULT_INSERTION): number {
  if (organic < settings.firstSlot) return 0;
  return 1 + Math.floor((organic - settings.firstSlot) / Math.max(1, settings.spacing));
}

/**
 * How many ads a page of at most `room` items holds: the most k that adSlots(room − k) allows, always
 * keeping one organic item at least (so that a page's bookmark moves on). The organic items the ads
 * displace past the page's end are the next page's first.
 */
export function adsWithin(room: number, settings: InsertionSettings = DEFAULT_INSERTION): number {
  for (let k = adSlots(room, settings); k > 0; k--)
    if (room - k >= 1 && adSlots(room - k, settings) >= k) return k;
  return 0;
}

/**
 * The page with the ads laid in, in order, cut to `room` items (a page never holds more than its page
 * size: the organic items past the cut are displaced to the next page); an ad that finds no place (the page
 * too short, every place beside its advertiser's own pins, or past the cut) is left out. Answers the
 * merged items and the ads left out; the organic items kept are always a prefix of `organic`.
 */
export function insertAds<O extends PageItem, A extends PageItem>(
  organic: readonly O[],
  ads: readonly A[],
  settings: InsertionSettings = DEFAULT_INSERTION,
  room = Number.POSITIVE_INFINITY,
): { items: (O | A)[]; left: A[] } {
  const items: (O | A)[] = [];
  const left: A[] = [];
  // Ads whose pin is on the page already (organic, or an ad before them) are left out, wherever they would
  // go: checked once, up front, by comparing ids (a page and its ads are a few dozen pins).
  const queue: A[] = [];
  for (let k = 0; k < ads.length; k++) {
    const ad = ads[k]!;
    if (onPage(ad.pinId, organic, ads, k)) left.push(ad);
    else queue.push(ad);
  }
  let head = 0;
  let nextAt = settings.firstSlot;
  for (let i = 0; i <= organic.length; i++) {
    const ad = queue[head];
    if (ad && items.length >= nextAt) {
      const besideOwn = items[items.length - 1]?.ownerId === ad.ownerId || organic[i]?.ownerId === ad.ownerId;
      if (!besideOwn) {
        items.push(ad);
        head++;
        nextAt = items.length + settings.spacing;
      }
    }
    if (i < organic.length) items.push(organic[i]!);
  }
  for (let k = head; k < queue.length; k++) left.push(queue[k]!);
  if (items.length > room) {
    const laid: readonly PageItem[] = ads;
    for (const cut of items.splice(room)) if (laid.includes(cut)) left.push(cut as A);
  }
  return { items, left };
}

/** Whether `pinId` is one of the organic items' or of ads[0 .. before). */
function onPage(
  pinId: string,
  organic: readonly PageItem[],
  ads: readonly PageItem[],
  before: number,
): boolean {
  for (const o of organic) if (o.pinId === pinId) return true;
  for (let k = 0; k < before; k++) if (ads[k]!.pinId === pinId) return true;
  return false;
}
