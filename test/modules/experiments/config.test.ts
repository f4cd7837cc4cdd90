import { describe, expect, it } from 'vitest';
import { testConfig } from '../../helpers/app.js';

describe('EXPERIMENT_ADMINS', () => {
  it('is empty by default (nobody may use the experiments API)', () => {
    expect(testConfig().experimentAdmins).toEqual([]);
  });

  it('takes comma-separated user ids and usernames, trimmed and lower-cased', () => {
    expect(testConfig({ EXPERIMENT_ADMINS: ' 12345, Alice ,,ops_team' }).experimentAdmins).toEqual([
      '12345',
      'alice',
      'ops_team',
    ]);
  });

  it('refuses an entry that is neither, naming the variable', () => {
    expect(() => testConfig({ EXPERIMENT_ADMINS: 'alice,bob smith' })).toThrow(/EXPERIMENT_ADMINS/);
  });
});
