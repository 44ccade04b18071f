/**
 * The reconciler's ports. They are defined with the decision core (libs/state/src/core/ports.ts), so
 * that the AWS adapters here and the local cloud's adapters (libs/local-cloud) implement one contract.
 */
export {
  RetryableAwsError,
  TerminalAwsError,
  type AliasTarget,
  type DnsPort,
  type MetricsPort,
  type MetricsTarget,
  type ProbePort,
  type ProbeTarget,
  type RecordChange,
  type ServiceMetrics,
  type ServiceRecords,
  type StackDescription,
  type StackPort,
  type WeightedRecord,
} from '@lambdaflex/state';
