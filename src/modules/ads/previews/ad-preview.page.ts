import { esc } from '../../../platform/html.js';
import type { Preview } from './ad-previews.service.js';

/**
 * A preview as a page: the pin card as the feed shows a promoted pin, labelled with its advertiser. No
 * script; the page may be framed (previews are meant for iframes), and its policy allows images only.
 */
export function previewPage(p: Preview): string {
  const color = p.dominantColor && /^#[0-9a-fA-F]{6}$/.test(p.dominantColor) ? p.dominantColor : '#e9e9e9';
  const image = p.imageUrl
    ? `<img src="${esc(p.imageUrl)}" alt="${esc(p.title)}" style="background:${color}">`
    : `<div class="none" style="background:${color}"></div>`;
  const title = p.link
    ? `<a href="${esc(p.link)}" rel="noopener noreferrer" target="_blank">${esc(p.title)}</a>`
    : esc(p.title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ad preview · Corkboard</title>
<style>
body{font-family:system-ui,sans-serif;background:#fff;margin:0;display:flex;justify-content:center}
article{width:236px;margin:1rem}img,.none{width:100%;border-radius:16px;display:block;min-height:120px}
h1{font-size:.95rem;margin:.5rem 0 .2rem}h1 a{color:inherit;text-decoration:none}
p{font-size:.8rem;color:#555;margin:.2rem 0}.promoted{font-size:.75rem;color:#111}
</style></head><body><article>${image}<h1>${title}</h1>${p.description ? `<p>${esc(p.description)}</p>` : ''}
<p class="promoted">Promoted by <strong>${esc(p.advertiser)}</strong></p></article></body></html>`;
}
