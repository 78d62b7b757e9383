export { crashGuard } from "./crash-guard.ts";
export { type Clock, type RetryOptions, retry, systemClock, waitUntil } from "./retry.ts";
export { ProcessError, type SpawnOptions, SupervisedProcess } from "./supervised-process.ts";
