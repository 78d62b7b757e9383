export { type Classification, classifyError, type ErrorClassifier } from "./classify.ts";
export { HistoryError } from "./errors.ts";
export { splitByExperiment } from "./experiments.ts";
export { type HistorySink, JsonlHistoryWriter, loadHistory, parseHistoryLine } from "./jsonl.ts";
export { mergeHistories } from "./merge.ts";
export { CLIENT_OPS, OP, PROBE } from "./operation-names.ts";
export { effectiveWindows, type FaultWindow, faultWindows, insideAny, type Operation, pairOperations } from "./operations.ts";
export { HistoryRecorder, type Outcome, PendingOperation, type ProcessId, type RecorderOptions, type RunOptions } from "./recorder.ts";
export {
  type EntryType,
  type ErrorInfo,
  type History,
  type HistoryEntry,
  HistoryEntrySchema,
  NEMESIS_PROCESS,
  type NemesisValue,
  PROBE_PROCESS,
} from "./schema.ts";
