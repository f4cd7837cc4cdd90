import { Invalid } from '../../../platform/errors.js';
import { TARGETING_SPEC_KEYS } from '../targeting/index.js';

const TARGETING_TYPE = /^[A-Z][A-Z_]*$/;

/**
 * A targeting spec from a body, without the fields no TargetingSpec has. Targeting types are upper-case,
 * so a key that is not (an `id` or `created_at` posted back with an object read earlier) is dropped, as
 * every body drops undeclared fields; one that is a targeting type in another case ("interest") is a
 * slip and refused; an unknown upper-case key is left for validateTargetingSpec to refuse by name.
 */
export function targetingInput(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (TARGETING_TYPE.test(key)) {
      out[key] = value;
      continue;
    }
    const meant = TARGETING_SPEC_KEYS.find((k) => k === key.toUpperCase());
    if (meant) throw new Invalid(`targeting_spec.${key}: targeting types are upper-case (${meant}).`);
  }
  return out;
}
