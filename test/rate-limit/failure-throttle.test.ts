import { describe, expect, it } from 'vitest';
import { Invalid, RateLimited } from '../../src/platform/errors.js';
import {
  type AttemptPlan,
  addressBucket,
  FailureThrottle,
  type KnownAddressStore,
} from '../../src/platform/rate-limit/failure-throttle.js';
import { MemoryRateLimiter } from '../../src/platform/rate-limit/memory-rate-limiter.js';

/** Known addresses in a set (the database's KnownAddresses has its own tests through HTTP). */
class SetStore implements KnownAddressStore {
  readonly pairs = new Set<string>();
  async remember(subject: string, address: string) {
    this.pairs.add(`${subject} ${address}`);
  }
  async knows(subject: string, address: string) {
    return this.pairs.has(`${subject} ${address}`);
  }
}

const minute = 60_000;
function plan(address: string, subject = 'user:1'): AttemptPlan {
  return {
    budgets: [
      { key: `pair:${subject}:${address}`, limit: { points: 3, windowMs: minute } },
      { key: `address:${address}`, limit: { points: 5, windowMs: minute } },
      { key: `account:${subject}`, limit: { points: 4, windowMs: minute }, waivedForKnownAddress: true },
    ],
    known: { subject, address },
    message: 'slow down',
  };
}

function setup() {
  const store = new SetStore();
  const throttle = new FailureThrottle(new MemoryRateLimiter(), store);
  let runs = 0;
  const fail = () =>
    throttle.attempt(
      plan('a'),
      async () => {
        runs++;
        return false;
      },
      (ok) => !ok,
    );
  return { store, throttle, fail, runs: () => runs };
}

describe('FailureThrottle', () => {
  it('refuses once a budget is spent, without running the check (no hash is computed)', async () => {
    const { fail, runs } = setup();
    for (let i = 0; i < 3; i++) expect(await fail()).toBe(false);
    const refused = await fail().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimited);
    expect((refused as RateLimited).message).toBe('slow down');
    expect((refused as RateLimited).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as RateLimited).retryAfterSeconds).toBeLessThanOrEqual(20);
    expect(runs()).toBe(3);
  });

  it('never counts successes: a hundred correct attempts all run', async () => {
    const { throttle } = setup();
    let runs = 0;
    for (let i = 0; i < 100; i++) {
      await throttle.attempt(
        plan('b'),
        async () => ++runs,
        () => false,
      );
    }
    expect(runs).toBe(100);
  });

  it('counts a DomainError as a failure and gives back the points of any other error', async () => {
    const { throttle } = setup();
    const boom = () => Promise.reject(new Error('database down'));
    for (let i = 0; i < 10; i++)
      await expect(throttle.attempt(plan('c'), boom, () => false)).rejects.toThrow('down');
    const invalid = () => Promise.reject(new Invalid('bad code'));
    for (let i = 0; i < 3; i++)
      await expect(throttle.attempt(plan('c'), invalid, () => false)).rejects.toThrow(Invalid);
    await expect(throttle.attempt(plan('c'), invalid, () => false)).rejects.toThrow(RateLimited);
  });

  it('a refused attempt takes nothing from the budgets that still had room', async () => {
    const { throttle } = setup();
    const failing = (address: string, subject: string) =>
      throttle.attempt(
        plan(address, subject),
        async () => false,
        (ok) => !ok,
      );
    // Spend the pair budget of (user:2, d), then knock on it many times: the address budget of d
    // (5 points) must not be drained by the refused knocks.
    for (let i = 0; i < 3; i++) await failing('d', 'user:2');
    for (let i = 0; i < 10; i++) await expect(failing('d', 'user:2')).rejects.toThrow(RateLimited);
    await failing('d', 'user:3');
    await failing('d', 'user:4');
    await expect(failing('d', 'user:5')).rejects.toThrow(RateLimited);
  });

  it('waives a spent account-wide budget for an address the account signed in from before', async () => {
    const { throttle, store } = setup();
    const attempt = (address: string, ok: boolean) =>
      throttle.attempt(
        plan(address, 'user:9'),
        async () => ok,
        (r) => !r,
      );
    expect(await attempt('home', true)).toBe(true);
    expect(store.pairs.has('user:9 home')).toBe(true);
    // Four failures from four addresses spend the account-wide budget.
    for (const a of ['x1', 'x2', 'x3', 'x4']) expect(await attempt(a, false)).toBe(false);
    await expect(attempt('new-place', true)).rejects.toThrow(RateLimited);
    expect(await attempt('home', true)).toBe(true);
    // A known address is still held to its own pair budget.
    for (let i = 0; i < 3; i++) expect(await attempt('home', false)).toBe(false);
    await expect(attempt('home', true)).rejects.toThrow(RateLimited);
  });

  it('runs everything when switched off (AUTH_THROTTLE=off)', async () => {
    const throttle = new FailureThrottle(null, new SetStore());
    let runs = 0;
    for (let i = 0; i < 20; i++)
      await throttle.attempt(
        plan('e'),
        async () => ++runs,
        () => true,
      );
    expect(runs).toBe(20);
  });
});

describe('addressBucket', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
  ])('%s counts as %s', (ip, bucket) => {
    expect(addressBucket(ip)).toBe(bucket);
  });
});
