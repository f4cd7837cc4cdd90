import { describe, expect, it } from 'vitest';
import { ledgerFigure } from '../../src/modules/ads/serving/budget-keys.js';

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
