export {
  defaultBaselineFile,
  loadReportModel,
  type ReportModel,
  type ReportOptions,
  renderHtmlReport,
  renderPage,
  type TrendView,
  writeReport,
} from "./html/index.ts";
export { toJUnit } from "./junit.ts";
export { ReportError } from "./report-error.ts";
export {
  HTML_FILE,
  JUNIT_FILE,
  LATEST_LINK,
  listRuns,
  previousRun,
  type RecordedRun,
  readSummary,
  resolveRun,
  SCREENSHOT_FILE,
  SUMMARY_FILE,
} from "./run-record.ts";
export * from "./summary-schema.ts";
export * from "./trends/index.ts";
