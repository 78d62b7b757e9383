export { DockerCluster, DockerClusterError, type ProgressListener, StartedDockerCluster } from "./docker-cluster.ts";
export { DockerEngineError, DockerEngineLease, dockerEngineProblem, requireDockerEngine } from "./docker-engine.ts";
export { DockerImageError, natsServerImage, nodeImage } from "./docker-images.ts";
export { ContainerNetwork, containerPartitionsUnavailable, type StackNetwork } from "./docker-network.ts";
export { DockerNode, DockerNodeError } from "./docker-node.ts";
export { DockerReplica } from "./docker-replica.ts";
export { GauntletContainer } from "./gauntlet-container.ts";
export { GAUNTLET_LABEL } from "./labels.ts";
export { leftoverResources, removeStackResources } from "./stack-resources.ts";
