import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { closedBody, validatorCompiler } from '../../src/http/validation.js';
import { PinCreate } from '../../src/modules/pins/pins.schemas.js';

const body = (schema: object) => validatorCompiler()({ schema, httpPart: 'body' });
const extra = { id: '1', owner_id: '2', created_at: '2099-01-01T00:00:00Z', zz: true };
const png = 'iVBORw0KGgo=';

const pinCreate = body(PinCreate);

describe('body schemas are validated closed', () => {
  it('strips undeclared fields at every depth and keeps the declared ones', () => {
    const validate = pinCreate;
    const item = { content_type: 'image/png', data: png, title: 't' };
    const data = {
      board_id: '5',
      title: 'x',
      ...extra,
      media_source: {
        source_type: 'multiple_image_base64',
        items: [{ ...item, ...extra }, { ...item }],
        ...extra,
      },
    };
    expect(validate(data)).toBe(true);
    expect(data).toEqual({
      board_id: '5',
      title: 'x',
      media_source: { source_type: 'multiple_image_base64', items: [item, item] },
    });
  });

  // ajv strips while it tries union branches in turn, so an untagged union would lose fields that a later
  // branch needs; the tagged union validates (and strips against) the branch its tag names only.
  it.each([
    { source_type: 'image_url', url: 'https://example.org/a.png', is_standard: true },
    { source_type: 'image_base64', content_type: 'image/png', data: png, is_standard: false },
    {
      source_type: 'multiple_image_urls',
      items: [
        { url: 'https://example.org/a.png', link: 'https://example.org' },
        { url: 'https://example.org/b' },
      ],
      index: 1,
    },
    { source_type: 'pin_url', is_affiliate_link: true },
    {
      source_type: 'video_id',
      media_id: '7',
      cover_image_url: 'https://example.org/c.jpg',
      cover_image_key_frame_time: 3,
      is_standard: true,
    },
  ])('keeps every field of a $source_type media source', (source) => {
    // `url` belongs to the first branch: a later branch must not keep it, nor lose its own fields to it.
    const data = { board_id: '5', media_source: { url: 'https://example.org/u', ...extra, ...source } };
    expect(pinCreate(data)).toBe(true);
    expect(data.media_source).toEqual(source);
  });

  it.each([[[{}]], [[{ source_type: 'image_url', url: 'https://example.org/a.png' }]], ['image_url'], [7]])(
    'refuses a tagged union given %j, which is not an object',
    (source) => {
      expect(pinCreate({ board_id: '5', media_source: source })).toBe(false);
    },
  );

  it('leaves maps (patternProperties) open and the route schema as it was', () => {
    const schema = Type.Object({ tags: Type.Record(Type.String(), Type.Number()), name: Type.String() });
    const before = JSON.stringify(schema);
    const data = { name: 'a', tags: { a: 1, b: 2 }, zz: 1 };
    expect(body(schema)(data)).toBe(true);
    expect(data).toEqual({ name: 'a', tags: { a: 1, b: 2 } });
    expect(JSON.stringify(schema)).toBe(before);
  });

  it('refuses, when the route is built, body shapes it cannot close safely', () => {
    const a = Type.Object({ a: Type.String() });
    const b = Type.Object({ b: Type.String() });
    expect(() => closedBody(Type.Object({ x: Type.Union([a, b]) }))).toThrow(/body\.x: a union of objects/);
    expect(() => closedBody(Type.Intersect([a, b]))).toThrow(/allOf of objects/);
    // A union with one object branch (object or null) needs no tag.
    expect(closedBody(Type.Union([a, Type.Null()])).anyOf).toHaveLength(2);
  });
});
