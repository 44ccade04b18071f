/**
 * The reconciler as a library, for the suites in test/ and the local cloud: one tick, its ports, and
 * the pure plan. The deployable entries are handler.ts (Lambda) and cli.ts.
 */
export * from './ports';
export { reconcileOnce, LeaseLostError, type ReconcilerPorts, type TickOptions, type TickResult } from './reconcile';
export { planActs, tierParameters, type Act, type Plan } from './act/plan';
export { observe, toObservation, ServiceSetupError, type World, type BaseStack } from './observe/observe';
export { runCli, parseCli, UsageError, type CliOptions } from './cli';
export { reconcileFleet, createFleetMemory, type FleetMemory, type FleetTickOptions, type FleetTickResult } from './reconcile-fleet';
export { nextStatus, statusChanged, type TickEnd } from './status/next-status';
export { runSimulateCli } from './simulate/cli';
export { fetchRequestHistory } from './simulate/shadow';
export { resolveParams, type SimParamsInput } from './simulate/params';
export { RUNNABLE, simulate, type Simulation, type SimulationOptions } from './simulate/simulate';
export { parseTrace, type Trace } from './simulate/trace';
export { resolvePolicy } from './simulate/policy-file';
export { headline, type Headline } from './simulate/report';
export { modelFor } from './simulate/simulate';
export { SimulatedWorld, type AwsCall, type WorldMinute, type WorldOptions } from './simulate/world';
