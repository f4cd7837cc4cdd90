/**
 * Experiment assignment: a pure function of (layer salt, experiment salt, unit id), with no database,
 * clock or randomness. How it works and why: docs/experiments-assignment.md.
 */

export * from './assign.js';
export * from './change.js';
export * from './compile.js';
export * from './hash.js';
export * from './targeting.js';
export * from './types.js';
export * from './validate.js';
