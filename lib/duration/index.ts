export { DURATION_EXAMPLES, Duration, DurationText, parseDuration } from "./duration.ts";
