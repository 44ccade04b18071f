/**
 * `@lambdaflex/cost`: AWS prices as data, the per-minute cost model of both tiers, the break-even and
 * the policy's `auto` thresholds, and the offline optimum. Pure: no I/O, no clock.
 */
export * from './prices';
export * from './cost-model';
export * from './optimum';
