import { prng } from '../../helpers/prng.js';

export { prng };

/** Standard normal draws by Box–Muller on a seeded uniform source (both values of each pair used). */
export function normals(seed: number): () => number {
  const uniform = prng(seed);
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return z;
    }
    const u = 1 - uniform(); // (0, 1]: the log stays finite
    const r = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
}

/** Aggregates of n draws of mean + sd·z, summed in a loop (what the platform's rollups hold). */
export function drawAggregate(z: () => number, n: number, mean: number, sd: number) {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const y = mean + sd * z();
    sum += y;
    sumSquares += y * y;
  }
  return { n, sum, sumSquares };
}
