import { describe, expect, it } from 'vitest';
import { fileProblem, formatBytes, sniffType, toBase64, urlProblem } from '../src/pages/create/validate.js';

describe('a picture chosen for a new pin', () => {
  it('is refused in words when it is not a JPEG or PNG, empty, or too large', () => {
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: 1000 })).toBeUndefined();
    expect(fileProblem({ name: 'a.jpg', type: 'image/jpeg', size: 1000 })).toBeUndefined();
    // A type the browser does not know is left to the bytes (sniffType).
    expect(fileProblem({ name: 'a', type: '', size: 1000 })).toBeUndefined();
    expect(fileProblem({ name: 'a.gif', type: 'image/gif', size: 1000 })).toBe(
      '“a.gif” is a GIF picture. Choose a JPEG or PNG picture.',
    );
    expect(fileProblem({ name: 'notes.txt', type: 'text/plain', size: 10 })).toBe(
      '“notes.txt” is not a picture. Choose a JPEG or PNG picture.',
    );
    expect(fileProblem({ name: 'e.png', type: 'image/png', size: 0 })).toBe('“e.png” is empty.');
    expect(fileProblem({ name: 'big.png', type: 'image/png', size: 12.5 * 1024 * 1024 })).toBe(
      '“big.png” is 12.5 MB; the largest picture Corkboard takes is 10.0 MB.',
    );
  });

  it('is known by its first bytes', () => {
    expect(sniffType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffType(new TextEncoder().encode('GIF89a'))).toBeUndefined();
    expect(sniffType(new Uint8Array([]))).toBeUndefined();
  });

  it('is sent as base64, however large', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });
});

describe('addresses typed into the create page', () => {
  it('must be whole http or https addresses', () => {
    expect(urlProblem('https://example.org/a.png', 'image address')).toBeUndefined();
    expect(urlProblem('example.org/a.png', 'image address')).toBe(
      'The image address is not a web address. Type it in full, starting with https:// or http://.',
    );
    expect(urlProblem('javascript:alert(1)', 'link')).toBe('The link must start with https:// or http://.');
  });

  it('sizes read as people say them', () => {
    expect(formatBytes(500)).toBe('500 bytes');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});
