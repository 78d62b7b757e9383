export type { HttpOptions, HttpResponse, JsAck, KvResult, LoadContext, NatsReply, OpOptions } from "./context-api.ts";
export { LoadError } from "./errors.ts";
export { decodeHistogram, encodeHistogram, mergeEncoded, newHistogram, trendStat } from "./histogram.ts";
export { BUILTIN_METRICS, type MetricDelta, MetricSink, MetricStore, metricKey, type Tags } from "./metrics.ts";
export {
  expectedArrivals,
  type LoadOptions,
  type NormalizedScenario,
  normalizeScenarios,
  type Overrides,
  type ScenarioConfig,
  type ThresholdEntry,
  targetRateAt,
} from "./options.ts";
export { formatLiveLine, formatSummary } from "./progress.ts";
export { ResourceSampler, type ResourceUsage } from "./resources.ts";
export type { LoadResult, MetricSummary, SecondPoint, SerializedHistogram } from "./result.ts";
export { type LiveLoad, type RunLoadOptions, runLoad, type SetupContext, type SummarizeView, type WindowStats } from "./run-load.ts";
export { findSaturation, type SaturationReport, type SaturationStep, steppedStages } from "./saturation.ts";
export { findScenario, SCENARIOS_DIR, scenarioNames } from "./scenario-file.ts";
export { arrivalCount, arrivalOffsets, shareOf } from "./schedule.ts";
export { notRunSuiteResult, toSuiteResult } from "./suite-result.ts";
export type { LoadTarget } from "./target.ts";
export { evaluateThreshold, parseThresholds, type Threshold, type ThresholdResult } from "./thresholds.ts";
