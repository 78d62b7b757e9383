export { ControlClient, ControlError } from "./control-client.ts";
export { NODE_ACTIONS, type NodeAction, REPLICA_ACTIONS, type ReplicaAction, type StackDescription } from "./control-protocol.ts";
export { type ControlledReplica, type ControlledStack, ControlServer } from "./control-server.ts";
