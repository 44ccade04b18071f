/**
 * `@lambdaflex/state`: the policy, the tier machine and its pure `decide()`, and the DynamoDB store.
 * Everything under core/ is pure (no I/O, no clock, no environment); dynamodb/ is the one adapter.
 */
export * from './core/policy';
export * from './core/fargate-sizes';
export * from './core/observation';
export * from './core/intent';
export * from './core/status';
export * from './core/conditions';
export { capacityOf, capacityMove, lambdaCapacityRps, type CapacityView, type CapacityMove } from './core/capacity';
export { tierMachine, tasksFor, stepWeight, askedAlbWeight, thresholdsOf, type TierContext, type ObserveEvent, type TransitionReason } from './core/machine';
export { MACHINE_VERSION, persist, restore, phaseOf, type PersistedSnapshot, type TierSnapshot } from './core/snapshot';
export { decide, type Decision } from './core/decide';
export { isQuiet } from './core/quiet';
export * from './dynamodb/state-store';
export * from './dynamodb/state-table';
export * from './core/stacks';
export * from './core/ports';
