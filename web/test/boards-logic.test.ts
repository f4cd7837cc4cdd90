import { describe, expect, it } from 'vitest';
import { moved } from '../src/api/boards.js';
import { match } from '../src/router.js';

describe('moved (the board order, one step at a time)', () => {
  it('moves an item up or down and leaves the input as it was', () => {
    const list = ['a', 'b', 'c', 'd'];
    expect(moved(list, 0, 1)).toEqual(['b', 'a', 'c', 'd']);
    expect(moved(list, 3, 2)).toEqual(['a', 'b', 'd', 'c']);
    expect(moved(list, 1, 3)).toEqual(['a', 'c', 'd', 'b']);
    expect(list).toEqual(['a', 'b', 'c', 'd']);
  });

  it('changes nothing for a place outside the list', () => {
    expect(moved(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(moved(['a', 'b'], 1, 2)).toEqual(['a', 'b']);
    expect(moved([], 0, 0)).toEqual([]);
  });
});

describe('the boards routes', () => {
  it('matches my boards, a board, a profile and its lists', () => {
    expect(match('/boards')).toEqual({ name: 'boards' });
    expect(match('/board/123')).toEqual({ name: 'board', boardId: '123' });
    expect(match('/board/abc')).toEqual({ name: 'notFound' });
    expect(match('/user/ann')).toEqual({ name: 'user', username: 'ann' });
    expect(match('/user/ann/')).toEqual({ name: 'user', username: 'ann' });
    expect(match('/user/ann%20b')).toEqual({ name: 'user', username: 'ann b' });
    expect(match('/user/ann/followers')).toEqual({ name: 'userList', username: 'ann', list: 'followers' });
    expect(match('/user/ann/following')).toEqual({ name: 'userList', username: 'ann', list: 'following' });
    expect(match('/user/ann/boards')).toEqual({ name: 'notFound' });
    expect(match('/user/%E0%A4%A')).toEqual({ name: 'notFound' });
  });
});
