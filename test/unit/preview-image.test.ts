import { describe, expect, it } from 'vitest';
import { previewImageUrl } from '../../src/modules/pins/image-intake.js';

describe('preview image of a page', () => {
  it.each([
    [
      'og:image, attributes in any order',
      '<meta content="https://cdn.example.org/a.jpg" property="og:image">',
      'https://cdn.example.org/a.jpg',
    ],
    [
      'relative og:image',
      "<meta property='og:image' content='/img/b.png'>",
      'https://site.example.org/img/b.png',
    ],
    [
      'secure_url first',
      '<meta property="og:image" content="http://x.org/1.jpg"><meta property="og:image:secure_url" content="https://x.org/2.jpg">',
      'https://x.org/2.jpg',
    ],
    ['twitter card', '<meta name="twitter:image" content="https://x.org/t.jpg">', 'https://x.org/t.jpg'],
    ['image_src link', '<link rel="image_src" href="//x.org/l.jpg">', 'https://x.org/l.jpg'],
    [
      'escaped ampersands',
      '<meta property="og:image" content="https://x.org/i?a=1&amp;b=2">',
      'https://x.org/i?a=1&b=2',
    ],
  ])('%s', (_name, head, expected) => {
    expect(previewImageUrl(`<html><head>${head}</head></html>`, 'https://site.example.org/post/1')).toBe(
      expected,
    );
  });

  it('finds nothing on a page without one', () => {
    expect(
      previewImageUrl('<html><head><meta name="description" content="x"></head></html>', 'https://a.org/'),
    ).toBeUndefined();
  });
});
