export { renderGameDayPage } from "./html/gameday-page.ts";
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
export * from "./trends/index.ts";
