import { type BandwidthLimit, bandwidthLimit } from "./bandwidth-limit.ts";
import { type DiskFull, diskFull } from "./disk-full.ts";
import type { FaultDefinition } from "./fault.ts";
import { type FullRestart, fullRestart } from "./full-restart.ts";
import { type KillStreamLeader, killStreamLeader } from "./leader-kill.ts";
import { type DeregisterNlbTarget, deregisterNlbTarget } from "./load-balancer-target-loss.ts";
import { type LossyLink, lossyLink } from "./lossy-link.ts";
import { type KillNode, killNode, type PauseNode, pauseNode, type StopNode, stopNode } from "./node-faults.ts";
import {
  type IsolateMetaLeader,
  type IsolateStreamLeader,
  isolateMetaLeader,
  isolateStreamLeader,
  type PartitionMinority,
  partitionMinority,
} from "./partitions.ts";
import { type ReplaceNode, replaceNode } from "./replace-node.ts";
import { type KillGatewayReplica, type KillServiceReplica, killGatewayReplica, killServiceReplica } from "./replica-kill.ts";
import { type RollingRestart, rollingRestart } from "./rolling-restart.ts";
import { type RedeployServices, redeployServices } from "./service-redeploy.ts";
import { type SlowLink, slowLink } from "./slow-link.ts";
import { type StallConsumer, stallConsumer } from "./stall-consumer.ts";
import { type StepDown, stepDown } from "./step-down.ts";

export type { FaultContext, FaultDefinition, InjectedFault } from "./fault.ts";
export type {
  BandwidthLimit,
  DeregisterNlbTarget,
  DiskFull,
  FullRestart,
  IsolateMetaLeader,
  IsolateStreamLeader,
  KillGatewayReplica,
  KillNode,
  KillServiceReplica,
  KillStreamLeader,
  LossyLink,
  PartitionMinority,
  PauseNode,
  RedeployServices,
  ReplaceNode,
  RollingRestart,
  SlowLink,
  StallConsumer,
  StepDown,
  StopNode,
};

/** Every fault as data: what an experiment names and `Nemesis.inject` takes. */
export type FaultSpec =
  | KillNode
  | StopNode
  | PauseNode
  | RollingRestart
  | PartitionMinority
  | IsolateMetaLeader
  | IsolateStreamLeader
  | KillStreamLeader
  | KillServiceReplica
  | KillGatewayReplica
  | FullRestart
  | ReplaceNode
  | StepDown
  | StallConsumer
  | RedeployServices
  | DeregisterNlbTarget
  | DiskFull
  | SlowLink
  | LossyLink
  | BandwidthLimit;

export type FaultKind = FaultSpec["kind"];

type Registry = { readonly [K in FaultKind]: FaultDefinition<Extract<FaultSpec, { kind: K }>> };

/** Adding a fault: one file with its spec and definition, then one line here. */
export const FAULTS: Registry = {
  "kill-node": killNode,
  "stop-node": stopNode,
  "pause-node": pauseNode,
  "rolling-restart": rollingRestart,
  "partition-minority": partitionMinority,
  "isolate-meta-leader": isolateMetaLeader,
  "isolate-stream-leader": isolateStreamLeader,
  "kill-stream-leader": killStreamLeader,
  "kill-service-replica": killServiceReplica,
  "kill-gateway-replica": killGatewayReplica,
  "full-restart": fullRestart,
  "replace-node": replaceNode,
  "step-down": stepDown,
  "stall-consumer": stallConsumer,
  "redeploy-services": redeployServices,
  "deregister-nlb-target": deregisterNlbTarget,
  "disk-full": diskFull,
  "slow-link": slowLink,
  "lossy-link": lossyLink,
  "bandwidth-limit": bandwidthLimit,
};

export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];
