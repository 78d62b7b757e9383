export { loadBaseline, saveBaseline } from "./baseline.ts";
export {
  type Comparison,
  compareRuns,
  DEFAULT_TOLERANCES,
  type MetricComparison,
  type MetricStatus,
  type Tolerances,
} from "./compare-runs.ts";
export { compareVersions, disagreementLines, type VersionedRun, versionsExitCode } from "./compare-versions.ts";
export { failureNames, histogramPercentile, type KeyMetric, keyMetrics, METRICS_SCHEMA_VERSION, RunMetrics } from "./key-metrics.ts";
