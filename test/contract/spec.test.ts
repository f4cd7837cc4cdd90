// Tests of the contract validator itself (test/contract/spec.ts), against the committed spec subset only.
import { describe, expect, it } from 'vitest';
import {
  expectResponseMatchesSpec,
  operationSecurity,
  rateLimitCategory,
  responseSchemaFor,
  specOperations,
  specRelease,
} from './spec.js';

const pin = {
  id: '1',
  board_id: '2',
  board_section_id: null,
  title: null,
  description: null,
  link: null,
  alt_text: null,
  dominant_color: '#ffffff',
  created_at: '2024-01-01T20:10:40Z',
  creative_type: null,
  parent_pin_id: null,
  media: { media_type: 'image', images: { '150x150': { url: 'https://x/1.jpg', width: 150, height: 150 } } },
};
const board = {
  id: '2',
  name: 'Recipes',
  privacy: 'PUBLIC',
  description: null,
  created_at: '2024-01-01T00:00:00Z',
};

describe('spec subset', () => {
  it('records its release and lists operations with ids', () => {
    expect(specRelease).toMatch(/^5\.\d+\.\d+$/);
    expect(specOperations()).toContainEqual({
      method: 'GET',
      path: '/pins/{pin_id}',
      operationId: 'pins/get',
    });
  });

  it('finds response schemas with or without the /v5 prefix', () => {
    expect(responseSchemaFor('GET', '/pins/{pin_id}', 200)).toBeDefined();
    expect(responseSchemaFor('get', '/v5/pins/{pin_id}', 200)).toEqual(
      responseSchemaFor('GET', '/pins/{pin_id}', 200),
    );
    expect(responseSchemaFor('GET', '/no/such/path', 200)).toBeUndefined();
  });
});

describe('expectResponseMatchesSpec', () => {
  it('accepts a valid Pin, nullable fields as null (including allOf+$ref nullable)', () => {
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, pin)).not.toThrow();
    expect(() => expectResponseMatchesSpec('GET', '/v5/pins/{pin_id}', 200, pin)).not.toThrow();
  });

  it('rejects a numeric Pin id, naming the instance path', () => {
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, { ...pin, id: 1 })).toThrow(/\/id/);
  });

  it('rejects null where the spec does not allow it, and a non-decimal id', () => {
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, { ...pin, board_id: null })).toThrow(
      /\/board_id/,
    );
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, { ...pin, id: 'abc' })).toThrow(
      /pattern/,
    );
  });

  it('rejects an out-of-enum media_type and creative_type', () => {
    const media = { media_type: 'hologram' };
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, { ...pin, media })).toThrow(
      /\/media/,
    );
    expect(() =>
      expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, { ...pin, creative_type: 'NOPE' }),
    ).toThrow(/\/creative_type/);
  });

  it('checks Board enums and required fields', () => {
    expect(() => expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, board)).not.toThrow();
    expect(() =>
      expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, { ...board, privacy: 'HIDDEN' }),
    ).toThrow(/\/privacy/);
    const { name: _name, ...nameless } = board;
    expect(() => expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, nameless)).toThrow(/name/);
  });

  it('allows unknown extra fields', () => {
    const body = { ...board, corkboard_extra: { anything: [1, 2] } };
    expect(() => expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, body)).not.toThrow();
  });

  it('validates error bodies against 4xx and default responses', () => {
    expect(() =>
      expectResponseMatchesSpec('GET', '/pins/{pin_id}', 404, { code: 1, message: 'x' }),
    ).not.toThrow();
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 404, { message: 'x' })).toThrow(/code/);
    // 418 is not listed for this operation, so the `default` response applies.
    expect(() =>
      expectResponseMatchesSpec('GET', '/pins/{pin_id}', 418, { code: 1, message: 'x' }),
    ).not.toThrow();
    expect(() => expectResponseMatchesSpec('GET', '/pins/{pin_id}', 418, { message: 'x' })).toThrow(/code/);
  });

  it('validates paginated lists', () => {
    const ok = { items: [board], bookmark: null };
    expect(() => expectResponseMatchesSpec('GET', '/boards', 200, ok)).not.toThrow();
    expect(() => expectResponseMatchesSpec('GET', '/boards', 200, { items: 'x' })).toThrow(/\/items/);
    expect(() => expectResponseMatchesSpec('GET', '/boards', 200, { items: [{ id: 1 }] })).toThrow(
      /\/items\/0/,
    );
  });

  it('requires an empty body where the spec declares none, and rejects unknown operations', () => {
    expect(() => expectResponseMatchesSpec('DELETE', '/pins/{pin_id}', 204, '')).not.toThrow();
    expect(() => expectResponseMatchesSpec('DELETE', '/pins/{pin_id}', 204, { id: '1' })).toThrow(/no body/);
    expect(() => expectResponseMatchesSpec('GET', '/catalogs', 200, {})).toThrow(/not in the spec subset/);
  });
});

describe('every operation', () => {
  it('compiles its response schemas (all $refs resolve) and has a rate-limit category', () => {
    for (const { method, path } of specOperations()) {
      for (const status of [200, 201, 204, 400, 404, 500]) {
        try {
          expectResponseMatchesSpec(method, path, status, {});
        } catch (error) {
          expect((error as Error).message).not.toMatch(/resolve|reference|unknown (format|keyword)/i);
        }
      }
      expect(rateLimitCategory(method, path), `${method} ${path}`).toMatch(/^[a-z_]+$/);
    }
  });
});

describe('security and rate limits', () => {
  it('lists OAuth scopes and the rate-limit category', () => {
    expect(operationSecurity('GET', '/pins/{pin_id}')).toContain('pins:read');
    expect(operationSecurity('POST', '/v5/boards')).toContain('boards:write');
    expect(operationSecurity('POST', '/oauth/token')).toEqual([]);
    const category = rateLimitCategory('GET', '/pins/{pin_id}');
    expect(typeof category).toBe('string');
    expect(category?.length).toBeGreaterThan(0);
  });
});
