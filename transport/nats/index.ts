/** transport/nats: the distributed transport on NATS JetStream (tasks, results, plans, leases, run state). */
export { connectionOptions, type NatsLink, parseServers, type ParsedServers } from './connect.js';
export { deadLetterResult, tableOfPartition } from './dead-letter.js';
export { Lease, type LeaseOptions, type LeaseRecord } from './lease.js';
export {
  checkRunId,
  RUNS_BUCKET,
  resultStream,
  resultSubject,
  taskStream,
  taskSubject,
  WORKERS_CONSUMER,
} from './names.js';
export { leaseOwner, NatsTransport, type RunQueueStats } from './nats-transport.js';
export {
  DEFAULT_TRANSPORT_OPTIONS,
  type NatsConnectOptions,
  type NatsTransportOptions,
  type RetryPolicy,
  resolveTransportOptions,
} from './options.js';
export type { PlanManifest } from './plan-codec.js';
export { RESULTS_CHECKPOINT, type ResultsOptions } from './results-reader.js';
export type { DeliveryNote } from './run-store.js';
