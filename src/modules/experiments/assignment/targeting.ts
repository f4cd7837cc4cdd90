import type { Targeting, UnitAttributes } from './types.js';

/** A unit's locale as rules compare it: lower case, `_` read as `-` (`en_GB` is `en-gb`). */
function normaliseLocale(tag: string): string {
  return tag.toLowerCase().replaceAll('_', '-');
}

/** Targeting rules turned into sets once, so checking a unit is a few lookups. */
export class CompiledTargeting {
  private readonly audience: 'new' | 'returning' | undefined;
  private readonly locales: ReadonlySet<string> | null;
  private readonly countries: ReadonlySet<string> | null;
  private readonly platforms: ReadonlySet<string> | null;
  /** The allow-list, or null when it is empty. */
  readonly allowList: ReadonlySet<string> | null;
  /** True when no rule restricts anyone (the allow-list aside). */
  readonly everyone: boolean;

  constructor(rules: Targeting) {
    const set = (values: readonly string[] | undefined, norm: (v: string) => string) =>
      values && values.length > 0 ? new Set(values.map(norm)) : null;
    this.audience = rules.audience;
    this.locales = set(rules.locales, normaliseLocale);
    this.countries = set(rules.countries, (c) => c.toUpperCase());
    this.platforms = set(rules.platforms, (p) => p.toLowerCase());
    this.allowList = set(rules.allowList, (id) => id);
    this.everyone = !this.audience && !this.locales && !this.countries && !this.platforms;
  }

  /** Whether a unit with these attributes passes every rule (the allow-list is checked apart). */
  matches(a: UnitAttributes): boolean {
    if (this.everyone) return true;
    if (this.audience !== undefined) {
      if (a.isNew === undefined || a.isNew !== (this.audience === 'new')) return false;
    }
    if (this.countries !== null && (a.country === undefined || !this.countries.has(a.country.toUpperCase())))
      return false;
    if (
      this.platforms !== null &&
      (a.platform === undefined || !this.platforms.has(a.platform.toLowerCase()))
    )
      return false;
    if (this.locales !== null) {
      if (a.locale === undefined) return false;
      const tag = normaliseLocale(a.locale);
      if (!this.locales.has(tag)) {
        const dash = tag.indexOf('-');
        if (dash < 0 || !this.locales.has(tag.slice(0, dash))) return false;
      }
    }
    return true;
  }
}
