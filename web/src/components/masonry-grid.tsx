import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FeedPin } from '../api/types.js';
import type { Served, Surface } from '../events/batcher.js';
import { events } from '../events/reporter.js';
import { layoutMasonry } from '../layout/masonry.js';
import { masonryItem, PinCard } from './pin-card.js';

/** Items are drawn this far above and below the screen; the rest of a long list is not in the page. */
const DRAW_MARGIN = 1200;
/** The next page is asked for when the end of the grid is this close below the screen. */
const LOAD_AHEAD = 1600;

/** Column width and gap for a container width: two columns on a phone, ~236 px columns on a desktop. */
function columnsFor(width: number) {
  return width < 640
    ? { minColumnWidth: 150, gap: 8, maxColumns: 3 }
    : { minColumnWidth: 236, gap: 16, maxColumns: 7 };
}

/**
 * Pins in a masonry grid laid out from their known aspect ratios (nothing moves when pictures load),
 * drawn only near the screen, reporting each pin's impression once half of it has been seen, and asking
 * for more (`onEnd`) before the end is reached.
 */
export function MasonryGrid(props: {
  pins: FeedPin[];
  surface: Surface;
  label: string;
  hasMore: boolean;
  loading: boolean;
  onEnd: () => void;
}) {
  const { pins, surface, hasMore, loading, onEnd } = props;
  const ref = useRef<HTMLUListElement>(null);
  const [width, setWidth] = useState(0);
  const [view, setView] = useState({ top: 0, bottom: 2000 });

  useLayoutEffect(() => {
    const el = ref.current!;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const top = -el.getBoundingClientRect().top;
        setView({ top, bottom: top + innerHeight });
      });
    };
    onScroll();
    addEventListener('scroll', onScroll, { passive: true });
    addEventListener('resize', onScroll);
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame);
      removeEventListener('scroll', onScroll);
      removeEventListener('resize', onScroll);
    };
  }, []);

  const layout = useMemo(
    () => layoutMasonry(pins.map(masonryItem), { containerWidth: width, ...columnsFor(width) }),
    [pins, width],
  );
  const served = useMemo(
    () =>
      pins.map((pin, position): Served | undefined =>
        pin.impression_token
          ? { pinId: pin.id, impressionToken: pin.impression_token, surface, position }
          : undefined,
      ),
    [pins, surface],
  );

  // Impressions: a pin counts as seen once half of it has been on screen.
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    observer.current = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const item = served[Number((entry.target as HTMLElement).dataset.index)];
          if (item) events.impression(item);
          observer.current?.unobserve(entry.target);
        }
      },
      { threshold: 0.5 },
    );
    for (const el of ref.current?.querySelectorAll('li[data-index]') ?? []) observer.current.observe(el);
    return () => observer.current?.disconnect();
  }, [served]);

  useEffect(() => {
    if (hasMore && !loading && width > 0 && view.bottom + LOAD_AHEAD >= layout.height) onEnd();
  }, [hasMore, loading, width, view.bottom, layout.height, onEnd]);

  const drawn: number[] = [];
  layout.items.forEach((p, i) => {
    if (p.y + p.height >= view.top - DRAW_MARGIN && p.y <= view.bottom + DRAW_MARGIN) drawn.push(i);
  });

  return (
    <ul
      class="masonry"
      ref={ref}
      // While more may come the list keeps a screen's height, so what follows it does not jump.
      style={{ height: `${layout.height}px`, minHeight: hasMore ? '100vh' : undefined }}
      aria-label={props.label}
      aria-busy={loading}
    >
      {width > 0 &&
        drawn.map((i) => {
          const p = layout.items[i]!;
          const pin = pins[i]!;
          return (
            <li
              key={pin.id}
              data-index={i}
              class="masonry-item"
              style={{
                width: `${p.width}px`,
                height: `${p.height}px`,
                transform: `translate(${p.x}px, ${p.y}px)`,
              }}
              ref={(el) => {
                if (el) observer.current?.observe(el);
              }}
            >
              <PinCard pin={pin} placed={p} served={served[i]} />
            </li>
          );
        })}
    </ul>
  );
}
