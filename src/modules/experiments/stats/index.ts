/**
 * The statistics of experiment analysis: pure functions over the per-variant aggregates the platform
 * keeps. Formulas, references and the tests behind each number: docs/experiments-statistics.md.
 */

export * from './cuped.js';
export * from './delta.js';
export * from './distributions.js';
export * from './multiple.js';
export * from './power.js';
export * from './sequential.js';
export * from './special-functions.js';
export * from './srm.js';
export * from './welch.js';
