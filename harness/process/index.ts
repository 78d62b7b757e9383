export { crashGuard } from "./crash-guard.ts";
export { processAlive } from "./process-alive.ts";
export { ProcessError, type SpawnOptions, SupervisedProcess } from "./supervised-process.ts";
