import { describe, expect, it } from 'vitest';
import { Random } from '../../src/cli/seed/random.js';
import { budgetReservations, ledgerFigure } from '../../src/modules/ads/serving/budget-keys.js';
import { formatReservationId, reservationId } from '../../src/platform/spend/spend-store.js';

describe('ledgerFigure', () => {
  const groups = new Map([['11', { today: 300, life: 900 }]]);
  const campaigns = new Map([['22', { today: 1_000, life: 5_000 }]]);

  it('reads the day or the lifetime total of the key’s ad group or campaign', () => {
    expect(ledgerFigure('ag:11:d:2026-12-03', groups, campaigns)).toBe(300);
    expect(ledgerFigure('ag:11:life', groups, campaigns)).toBe(900);
    expect(ledgerFigure('c:22:d:2026-12-03', groups, campaigns)).toBe(1_000);
    expect(ledgerFigure('c:22:life', groups, campaigns)).toBe(5_000);
  });

  it('answers 0 for a budget the ledger has no spend of, and nothing for keys it does not know', () => {
    expect(ledgerFigure('ag:12:d:2026-12-03', groups, campaigns)).toBe(0);
    expect(ledgerFigure('x:11:life', groups, campaigns)).toBeUndefined();
    expect(ledgerFigure('ag:11:d:yesterday', groups, campaigns)).toBeUndefined();
  });
});

describe('budgetReservations', () => {
  it('packs a block id of budget keys in 12 bytes and 11 a day key, 9 a lifetime key, and reads back the same text', () => {
    const random = new Random(20261204);
    for (let i = 0; i < 500; i++) {
      const id = () => String(1 + random.int(2 ** 52));
      const day = new Date(Date.UTC(2020, 0, 1) + random.int(20 * 365) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const keys = [
        random.next() < 0.5 ? `ag:${id()}:d:${day}` : `ag:${id()}:life`,
        ...(random.next() < 0.8 ? [`c:${id()}:d:${day}`] : []),
        ...(random.next() < 0.3 ? [`c:${id()}:life`] : []),
      ];
      const made = reservationId(keys).id;
      const packed = budgetReservations.pack(made);
      expect(packed?.length).toBe(12 + keys.reduce((n, k) => n + (k.endsWith(':life') ? 9 : 11), 0));
      expect(budgetReservations.unpack(packed!)).toBe(made);
    }
    // Blocks of the same keys differ by their nonces alone: each packs and reads back as itself.
    const keys = ['ag:77:d:2026-12-04', 'c:78:d:2026-12-04'];
    const blocks = Array.from({ length: 50 }, () => reservationId(keys).id);
    for (const block of blocks)
      expect(budgetReservations.unpack(budgetReservations.pack(block)!)).toBe(block);
    expect(new Set(blocks.map((b) => budgetReservations.pack(b)!.toString('hex'))).size).toBe(50);
    // The largest ids (20 digits under 2^64) too.
    const top = reservationId(['ag:18446744073709551615:d:2026-12-04']).id;
    expect(budgetReservations.unpack(budgetReservations.pack(top)!)).toBe(top);
  });

  it('leaves ids of other shapes to be written as text: nothing is packed that would not read back the same', () => {
    const nonce = 'AbCdEfGhIjKlMnOp';
    for (const keys of [
      ['test-key'],
      ['ag:12:d:2026-12-04', 'other'],
      ['ag:0:d:2026-12-04'],
      ['ag:012:d:2026-12-04'],
      ['ag:12:d:2026-02-30'],
      ['ag:12:d:1969-12-31'],
      ['ag:18446744073709551616:life'],
      ['c:12:d:2026-12-4'],
    ])
      expect(budgetReservations.pack(formatReservationId(nonce, keys))).toBeUndefined();
    expect(budgetReservations.pack('not an id')).toBeUndefined();
    expect(
      budgetReservations.pack(`${nonce.slice(1)}*.${formatReservationId(nonce, ['ag:1:life']).slice(17)}`),
    ).toBeUndefined();
    // A nonce of another alphabet decodes (Node takes standard base64 too) but would not read back the same,
    // even when the same keys packed before with a nonce that does.
    const keys = formatReservationId(nonce, ['ag:5:d:2026-12-04']).slice(17);
    expect(budgetReservations.pack(`${nonce}.${keys}`)).toBeDefined();
    expect(budgetReservations.pack(`AbCdEfGhIjKlMn+/.${keys}`)).toBeUndefined();
    expect(budgetReservations.pack(`AbCdEfGhIjKlMnOp.${keys}x`)).toBeUndefined();
    // Bytes that are not the packer's read as nothing.
    expect(budgetReservations.unpack(Buffer.alloc(12))).toBeUndefined();
    expect(budgetReservations.unpack(Buffer.alloc(20))).toBeUndefined();
    expect(
      budgetReservations.unpack(Buffer.concat([Buffer.alloc(12), Buffer.from([7]), Buffer.alloc(8)])),
    ).toBeUndefined();
  });
});
