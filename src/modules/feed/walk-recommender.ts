import type { Principal } from '../../platform/principal.js';

/**
 * Recommendations by random walks on the pin-board graph (the related-pins module provides one; the
 * feed only asks): pins near the seeds, best first. Seeds are the viewer's recent saves and close-ups,
 * weighted by recency.
 */
export interface WalkRecommender {
  recommend(
    viewer: Principal,
    seeds: Array<{ pinId: string; weight: number }>,
    limit: number,
    opts?: { excludePinIds?: Set<string> },
  ): Promise<Array<{ pinId: string; score: number }>>;
}
