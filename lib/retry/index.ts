export { type Clock, RetryError, type RetryOptions, retry, systemClock, waitUntil } from "./retry.ts";
