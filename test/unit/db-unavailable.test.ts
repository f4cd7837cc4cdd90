import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/platform/db/errors.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'admin shutdown (pg_terminate_backend, a restart)',
      { code: '57P01', message: 'terminating connection' },
    ],
    ['crash shutdown', { code: '57P02' }],
    ['starting up or shutting down', { code: '57P03', message: 'the database system is starting up' }],
    ['too many connections', { code: '53300' }],
    ['connection exception class', { code: '08006' }],
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['lost mid-query', new Error('Connection terminated unexpectedly')],
    ['pool wait', new Error('timeout exceeded when trying to connect')],
    ['broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['in a cause', new Error('wrapped', { cause: { code: '57P01' } })],
    ['in an AggregateError', new AggregateError([{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }])],
  ])('%s: yes', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['unique violation', { code: '23505' }],
    ['syntax error', { code: '42601' }],
    ['invalid text (NUL)', { code: '22021' }],
    ['serialization failure', { code: '40001' }],
    ['a plain error', new Error('boom')],
    ['not an object', 'Connection terminated'],
    ['null', null],
  ])('%s: no', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
