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
  const shown = new Set(organic.map((o) => o.pinId));
  const items: (O | A)[] = [];
  const left: A[] = [];
  const queue = [...ads];
  let nextAt = settings.firstSlot;
  for (let i = 0; i <= organic.length; i++) {
    // Ads whose pin is on the page already are left out, wherever they would go.
    while (queue.length > 0 && shown.has(queue[0]!.pinId)) left.push(queue.shift()!);
    const ad = queue[0];
    if (ad && items.length >= nextAt) {
      const besideOwn = items[items.length - 1]?.ownerId === ad.ownerId || organic[i]?.ownerId === ad.ownerId;
      if (!besideOwn) {
        items.push(queue.shift()!);
        shown.add(ad.pinId);
        nextAt = items.length + settings.spacing;
      }
    }
    if (i < organic.length) items.push(organic[i]!);
  }
  left.push(...queue);
  if (items.length > room) {
    const laid = new Set<PageItem>(ads);
    for (const cut of items.splice(room)) if (laid.has(cut)) left.push(cut as A);
  }
  return { items, left };
}
