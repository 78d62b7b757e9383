/** Operation names (`f`) of the client operations the failover workloads record. */
export const OP = {
  publish: "publish",
  read: "read",
  kvPut: "kv-put",
  kvGet: "kv-get",
  gatewayRequest: "gateway-request",
} as const;

/** Client operations whose failures count against the system (final reads do not). */
export const CLIENT_OPS: readonly string[] = [OP.publish, OP.kvPut, OP.kvGet, OP.gatewayRequest];

/** Names (`f`) of what the experiment runner and its probes record as process `probe`. */
export const PROBE = {
  /** Opens every experiment's history: its `ExperimentMeta`. */
  experiment: "experiment",
  /** The runner asked the nemesis to inject (the fault acts from here, before `inject` returns). */
  inject: "inject",
  /** The runner asked the nemesis to heal (a restarted node may serve again before `heal` returns). */
  heal: "heal",
  /** After a heal: did the cluster re-form with every stream current? */
  clusterHealthy: "cluster-healthy",
  /** Before the final reads: is every replica of the stream caught up? */
  streamReplicas: "stream-replicas",
  /** After the final reads: where each acknowledged message nobody read is (a `ReplicaEvidence`). */
  replicaEvidence: "replica-evidence",
  /** JetStream gave up on a message of the processor's consumer after `max_deliver` deliveries (its MaxDeliver advisory). */
  maxDeliveries: "max-deliveries",
  /** `$SRV.PING` of one service: how many instances answered. */
  srvPing: "srv-ping",
  /** A gateway's `/readyz`. */
  readyz: "readyz",
  /** Where the workloads and probes ran: {placement: process|main, scheduling} (what the resolution owes to it). */
  workloads: "workloads",
} as const;
