import { describe, expect, it } from 'vitest';
import { searchPath } from '../src/api/search.js';
import { moveActive, normalTerm, readSearchParams } from '../src/pages/search/combobox.js';

describe('the search box’s arrow keys', () => {
  it('go from the box to the first option down and the last up, and wrap around', () => {
    expect(moveActive(-1, 4, 'ArrowDown')).toBe(0);
    expect(moveActive(0, 4, 'ArrowDown')).toBe(1);
    expect(moveActive(3, 4, 'ArrowDown')).toBe(0);
    expect(moveActive(-1, 4, 'ArrowUp')).toBe(3);
    expect(moveActive(2, 4, 'ArrowUp')).toBe(1);
    expect(moveActive(0, 4, 'ArrowUp')).toBe(3);
  });

  it('stay in the box when there are no options', () => {
    expect(moveActive(-1, 0, 'ArrowDown')).toBe(-1);
    expect(moveActive(2, 0, 'ArrowUp')).toBe(-1);
  });
});

describe('the search page’s address', () => {
  it('reads the term, the tab and whether to search as typed; an unknown tab is pins', () => {
    expect(readSearchParams('?q=+lemon%20tart+&type=boards')).toEqual({
      q: 'lemon tart',
      type: 'boards',
      exact: false,
    });
    expect(readSearchParams('?q=x&type=nope&exact=1')).toEqual({ q: 'x', type: 'pins', exact: true });
    expect(readSearchParams('')).toEqual({ q: '', type: 'pins', exact: false });
  });

  it('is written back the same way', () => {
    expect(searchPath(' lemon tart ')).toBe('/search?q=lemon+tart');
    expect(searchPath('a&b', 'people')).toBe('/search?q=a%26b&type=people');
    expect(searchPath('sourdugh', 'pins', true)).toBe('/search?q=sourdugh&exact=1');
    const back = readSearchParams(searchPath('a&b', 'boards', true).slice('/search'.length));
    expect(back).toEqual({ q: 'a&b', type: 'boards', exact: true });
  });

  it('compares terms as the API normalises them', () => {
    expect(normalTerm('  Lemon   TART ')).toBe('lemon tart');
  });
});
