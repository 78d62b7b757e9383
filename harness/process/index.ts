export { crashGuard } from "./crash-guard.ts";
export { ProcessError, type SpawnOptions, SupervisedProcess } from "./supervised-process.ts";
