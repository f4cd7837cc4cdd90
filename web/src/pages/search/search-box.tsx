import { useEffect, useRef, useState } from 'preact/hooks';
import { searchPath, suggestedTerms, trendingTerms } from '../../api/search.js';
import { navigate, useLocation } from '../../router.js';
import { MAX_TERM, moveActive, readSearchParams } from './combobox.js';
import '../../styles/search.css';

/** Wait after a keystroke before asking for suggestions. */
const TYPEAHEAD_DELAY_MS = 120;

/** Trending terms, asked for once per page load (they move by the day). */
let trending: Promise<string[]> | undefined;

/**
 * The top bar's search box: a combobox (ARIA 1.2 pattern) whose list holds typeahead suggestions as the
 * person types, and trending searches while the box is empty. Arrow keys move through the options
 * (aria-activedescendant; focus stays in the box), Enter searches the option or the text, Escape closes
 * the list, then clears the box.
 */
export function SearchBox() {
  const { pathname, search } = useLocation();
  const onSearchPage = pathname === '/search';
  const current = onSearchPage ? readSearchParams(search).q : '';
  const [text, setText] = useState(current);
  const [options, setOptions] = useState<string[]>([]);
  const [kind, setKind] = useState<'suggestions' | 'trending'>('suggestions');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const asked = useRef(0);
  const input = useRef<HTMLInputElement>(null);

  // The box shows the term of the search page it is on (a chip, back and forward).
  useEffect(() => {
    setText(current);
    setOpen(false);
  }, [current]);

  const show = (value: string) => {
    const n = ++asked.current;
    setActive(-1);
    const term = value.trim();
    if (!term) {
      trending ??= trendingTerms().catch(() => {
        trending = undefined;
        return [];
      });
      void trending.then((terms) => {
        if (n !== asked.current) return;
        setKind('trending');
        setOptions(terms);
      });
      return;
    }
    // Trending searches are for an empty box: once something is typed they go, before suggestions come.
    if (kind === 'trending') setOptions([]);
    setTimeout(() => {
      if (n !== asked.current) return;
      suggestedTerms(term.slice(0, MAX_TERM)).then(
        (terms) => {
          if (n !== asked.current) return;
          setKind('suggestions');
          setOptions(terms);
        },
        () => n === asked.current && setOptions([]),
      );
    }, TYPEAHEAD_DELAY_MS);
  };

  const go = (term: string) => {
    const t = term.trim().slice(0, MAX_TERM);
    if (!t) return;
    asked.current++;
    setOpen(false);
    setActive(-1);
    setText(t);
    const type = onSearchPage ? readSearchParams(search).type : 'pins';
    navigate(searchPath(t, type));
  };

  const expanded = open && options.length > 0;
  const optionId = (i: number) => `search-option-${i}`;
  const label = kind === 'trending' ? 'Trending searches' : 'Suggested searches';

  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not yet known to every screen reader; a form with role search is.
    <form
      class="search-form"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        go(active >= 0 && expanded ? options[active]! : text);
      }}
    >
      <label for="search-input" class="visually-hidden">
        Search Corkboard
      </label>
      <input
        id="search-input"
        ref={input}
        class="search-input"
        type="text"
        // biome-ignore lint/a11y/noRedundantRoles: the ARIA combobox pattern names the role on the input itself.
        role="combobox"
        list={undefined}
        placeholder="Search"
        autocomplete="off"
        enterkeyhint="search"
        maxLength={MAX_TERM}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls="search-listbox"
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        value={text}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          setOpen(true);
          show(value);
        }}
        onFocus={() => {
          setOpen(true);
          show(text);
        }}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            // Closed: the arrow opens the list on its first (or last) option, as it would move from the box.
            if (!expanded) {
              setOpen(true);
              if (options.length === 0) show(text);
              else setActive(moveActive(-1, options.length, e.key));
              return;
            }
            setActive(moveActive(active, options.length, e.key));
          } else if (e.key === 'Escape') {
            if (expanded) {
              e.preventDefault();
              setOpen(false);
              setActive(-1);
            } else if (text) {
              e.preventDefault();
              setText('');
            }
          }
        }}
      />
      <div class="search-popup" hidden={!expanded}>
        <p class="search-popup-label" id="search-listbox-label">
          {label}
        </p>
        <div id="search-listbox" role="listbox" aria-labelledby="search-listbox-label">
          {options.map((term, i) => (
            // Options are not focused (the box keeps the focus, aria-activedescendant names the option) and
            // the box's keys choose them; a click chooses one too.
            // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox's input handles the keys.
            // biome-ignore lint/a11y/useFocusableInteractive: options of a combobox are never focused.
            <div
              key={term}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'search-option active' : 'search-option'}
              // Keeps the focus in the box, so the click is not lost to its blur.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => go(term)}
            >
              {kind === 'trending' && (
                <span class="search-option-icon" aria-hidden="true">
                  ↗
                </span>
              )}
              {term}
            </div>
          ))}
        </div>
      </div>
      <button type="submit" class="visually-hidden">
        Search
      </button>
    </form>
  );
}
