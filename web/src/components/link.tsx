import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router.js';

/** An in-app link: a real <a href>, so it opens in a new tab and reads as a link, navigating in place. */
export function Link(props: {
  href: string;
  class?: string;
  children: ComponentChildren;
  onClick?: () => void;
  'aria-label'?: string;
  'aria-current'?: 'page' | undefined;
}) {
  const { href, children, onClick, ...rest } = props;
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        onClick?.();
        onLinkClick(e, href);
      }}
    >
      {children}
    </a>
  );
}
