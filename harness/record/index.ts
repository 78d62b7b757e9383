export { type RecordedExperiment, recordExperiment, runStartMs, timeSeries } from "./failover-record.ts";
export * from "./journal-schema.ts";
export { toJUnit } from "./junit.ts";
export { type LatencySample, recordLatency, summarizeLatency } from "./latency-log.ts";
export {
  listRuns,
  previousRun,
  type RecordedRun,
  readFailoverSection,
  readJsonFile,
  readSummary,
  resolveRun,
} from "./read-record.ts";
export { RecordError } from "./record-error.ts";
export {
  EVIDENCE_DIR,
  FAILOVER_FILE,
  HISTORY_FILE,
  HTML_FILE,
  JOURNAL_FILE,
  JUNIT_FILE,
  LATENCY_LOG,
  LATEST_LINK,
  SCREENSHOT_FILE,
  SUMMARY_FILE,
} from "./record-files.ts";
export { RunRecord } from "./run-record-writer.ts";
export * from "./summary-schema.ts";
export { xmlSafe } from "./xml.ts";
