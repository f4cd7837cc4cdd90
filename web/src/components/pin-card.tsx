import { rememberPin } from '../api/pin-cache.js';
import { naturalSize, pickImage, placeholderColor } from '../api/pins.js';
import type { FeedPin, FeedReason } from '../api/types.js';
import type { Served } from '../events/batcher.js';
import { events, rememberServed } from '../events/reporter.js';
import type { Placed } from '../layout/masonry.js';
import { Link } from './link.js';

/** Below the picture: a line of title (cut with an ellipsis), and a line for "Promoted by". Fixed, so no reflow. */
export const TITLE_FOOTER = 28;
export const PROMOTED_LINE = 20;
export const BARE_FOOTER = 4;

const REASONS: Record<FeedReason, string> = {
  FOLLOWING: 'From people and boards you follow',
  RELATED_TO_SAVE: 'Because of Pins you saved or opened',
  POPULAR_IN_TOPIC: 'Popular in your topics',
  POPULAR: 'Popular on Corkboard',
  PROMOTED: 'Promoted',
};

/** The height below a pin's picture, from what it carries (not from measuring text). */
export function footerHeight(pin: FeedPin): number {
  return (pin.title ? TITLE_FOOTER : BARE_FOOTER) + (pin.is_promoted ? PROMOTED_LINE : 0);
}

/** The masonry item of a pin: its picture's known size and its footer. */
export function masonryItem(pin: FeedPin) {
  return { ...naturalSize(pin), footer: footerHeight(pin) };
}

/** One pin in a grid: its picture at its aspect ratio over its dominant colour, title, and labels. */
export function PinCard(props: { pin: FeedPin; placed: Placed; served: Served | undefined }) {
  const { pin, placed, served } = props;
  const image = pickImage(pin, placed.width);
  const title = pin.title || pin.alt_text || 'Pin';
  const reason = pin.reason && pin.reason !== 'PROMOTED' ? REASONS[pin.reason] : undefined;
  return (
    <article class="pin-card" aria-label={title}>
      <Link
        class="pin-card-link"
        href={`/pin/${pin.id}`}
        onClick={() => {
          rememberPin(pin);
          if (!served) return;
          rememberServed(served);
          events.click('PIN_CLICK', served);
        }}
      >
        <div
          class="pin-picture"
          style={{ height: `${placed.imageHeight}px`, background: placeholderColor(pin) }}
        >
          {image && (
            <img
              src={image.url}
              alt={pin.alt_text ?? ''}
              width={placed.width}
              height={placed.imageHeight}
              loading="lazy"
              decoding="async"
            />
          )}
          {reason && <span class="pin-reason">{reason}</span>}
        </div>
        {pin.title && <h3 class="pin-title">{pin.title}</h3>}
      </Link>
      {pin.is_promoted && (
        <p class="pin-promoted">
          <span class="promoted-label">Promoted</span>
          {pin.advertiser_name ? ` by ${pin.advertiser_name}` : ''}
        </p>
      )}
    </article>
  );
}
