import { describe, expect, it } from 'vitest';
import { adSlots, adsWithin, insertAds } from '../../src/modules/ads/serving/insertion.js';

const page = (n: number, owner = (i: number) => `o${i}`) =>
  Array.from({ length: n }, (_, i) => ({ pinId: `p${i}`, ownerId: owner(i) }));
const ad = (id: string, ownerId = `adv-${id}`) => ({ pinId: `ad-${id}`, ownerId, ad: true });
const layout = (items: { pinId: string }[]) => items.map((i) => i.pinId).join(' ');

describe('ad insertion', () => {
  it('puts ads at the first slot and then with the spacing', () => {
    const { items, left } = insertAds(page(12), [ad('a'), ad('b'), ad('c')], { firstSlot: 3, spacing: 4 });
    expect(layout(items)).toBe('p0 p1 p2 ad-a p3 p4 p5 p6 ad-b p7 p8 p9 p10 ad-c p11');
    expect(left).toEqual([]);
    expect(adSlots(12, { firstSlot: 3, spacing: 4 })).toBe(3);
  });

  it("moves an ad down past its advertiser's own pins, keeping the spacing after it", () => {
    const organic = page(10, (i) => (i === 2 || i === 3 ? 'adv-a' : `o${i}`));
    const { items } = insertAds(organic, [ad('a'), ad('b')], { firstSlot: 3, spacing: 3 });
    // Slot 3 sits between p2 and p3, both the advertiser's; the next place not beside them is after p4.
    expect(layout(items)).toBe('p0 p1 p2 p3 p4 ad-a p5 p6 p7 ad-b p8 p9');
  });

  it('leaves out what finds no place, and what duplicates a pin on the page', () => {
    const dup = { pinId: 'p1', ownerId: 'adv-x', ad: true };
    const { items, left } = insertAds(page(5), [dup, ad('a'), ad('b')], { firstSlot: 3, spacing: 4 });
    expect(layout(items)).toBe('p0 p1 p2 ad-a p3 p4');
    expect(left.map((a) => a.pinId)).toEqual(['p1', 'ad-b']);
    expect(insertAds(page(2), [ad('a')], { firstSlot: 3, spacing: 4 }).left).toHaveLength(1);
    expect(adSlots(2, { firstSlot: 3, spacing: 4 })).toBe(0);
  });

  it('keeps a page within its size: ads take places, the organic pins past the end are displaced', () => {
    const settings = { firstSlot: 3, spacing: 4 };
    expect(adsWithin(12, settings)).toBe(2);
    const { items, left } = insertAds(page(12), [ad('a'), ad('b'), ad('c')], settings, 12);
    expect(layout(items)).toBe('p0 p1 p2 ad-a p3 p4 p5 p6 ad-b p7 p8 p9');
    expect(left.map((a) => a.pinId)).toEqual(['ad-c']);
    // An ad pushed past the end by its advertiser's own pins is left out, not laid beyond the page.
    const own = page(5, (i) => (i >= 2 ? 'adv-a' : `o${i}`));
    const cut = insertAds(own, [ad('a')], settings, 5);
    expect(layout(cut.items)).toBe('p0 p1 p2 p3 p4');
    expect(cut.left.map((a) => a.pinId)).toEqual(['ad-a']);
    // A page always keeps an organic pin, so its bookmark moves on, whatever the layout.
    expect(adsWithin(1, { firstSlot: 0, spacing: 1 })).toBe(0);
    expect(adsWithin(2, { firstSlot: 0, spacing: 1 })).toBe(1);
    expect(adsWithin(3, settings)).toBe(0);
    expect(adsWithin(4, settings)).toBe(1);
  });

  it('never places two ads closer than the spacing, nor an ad beside its own pins, over random pages', () => {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round++) {
      const settings = { firstSlot: Math.floor(rand() * 5), spacing: 1 + Math.floor(rand() * 6) };
      const organic = page(Math.floor(rand() * 30), () => `adv-${Math.floor(rand() * 4)}`);
      const ads = Array.from({ length: Math.floor(rand() * 5) }, (_, i) => ({
        pinId: `ad-${i}`,
        ownerId: `adv-${Math.floor(rand() * 4)}`,
        ad: true,
      }));
      const { items, left } = insertAds(organic, ads, settings);
      expect(items.length + left.length).toBe(organic.length + ads.length);
      const positions = items.flatMap((it, i) => ('ad' in it ? [i] : []));
      if (positions.length > 0) expect(positions[0]).toBeGreaterThanOrEqual(settings.firstSlot);
      for (let k = 1; k < positions.length; k++)
        expect(positions[k]! - positions[k - 1]! - 1).toBeGreaterThanOrEqual(settings.spacing);
      for (const p of positions) {
        const me = items[p]!;
        expect(items[p - 1]?.ownerId).not.toBe(me.ownerId);
        expect(items[p + 1]?.ownerId).not.toBe(me.ownerId);
      }
      expect(items.filter((it) => !('ad' in it)).map((it) => it.pinId)).toEqual(organic.map((o) => o.pinId));
      // With advertisers of their own, every slot the page holds is filled.
      const strangers = ads.map((a, i) => ({ ...a, ownerId: `stranger-${i}` }));
      expect(insertAds(organic, strangers, settings).left.length).toBe(
        Math.max(0, ads.length - adSlots(organic.length, settings)),
      );
      // Within a page size: never more items, an organic prefix kept, every slot adsWithin counts filled.
      const room = 1 + Math.floor(rand() * 30);
      const within = insertAds(organic, strangers.slice(0, adsWithin(room, settings)), settings, room);
      expect(within.items.length).toBeLessThanOrEqual(room);
      const kept = within.items.filter((it) => !('ad' in it)).map((it) => it.pinId);
      expect(kept).toEqual(organic.slice(0, kept.length).map((o) => o.pinId));
      if (organic.length > 0) expect(kept.length).toBeGreaterThanOrEqual(1);
      if (organic.length >= room) {
        expect(within.items).toHaveLength(room);
        expect(within.left).toEqual([]);
      }
    }
  });
});
