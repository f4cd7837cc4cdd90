import { describe, expect, it } from 'vitest';
import { Recent } from '../src/lib/recent.js';

describe('Recent', () => {
  it('keeps the entries set most lately, a re-set entry counting as new', () => {
    const r = new Recent<number>(2);
    r.set('a', 1);
    r.set('b', 2);
    r.set('a', 3);
    r.set('c', 4);
    expect([r.get('a'), r.get('b'), r.get('c')]).toEqual([3, undefined, 4]);
  });
});
