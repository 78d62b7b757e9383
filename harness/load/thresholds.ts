import { parseDuration } from "../../lib/duration/index.ts";
import { LoadError } from "./errors.ts";
import { trendStat } from "./histogram.ts";
import { BUILTIN_METRICS, type MetricStore, type MetricType, type Tags } from "./metrics.ts";

export type Comparison = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

export interface Threshold {
  /** The key as written, e.g. `http_req_duration{endpoint:story}`. */
  key: string;
  metric: string;
  tags: Tags;
  expression: string;
  aggregation: string;
  comparison: Comparison;
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface ThresholdResult {
  key: string;
  expression: string;
  abortOnFail: boolean;
  passed: boolean;
  /** The observed value of the aggregation (ms for trends), null without samples. */
  actual: number | null;
  reason?: string;
}

const KEY = /^([A-Za-z_][\w.-]*)(?:\{(.*)\})?$/;
const EXPRESSION = /^\s*(avg|min|max|med|count|rate|p\(\s*\d+(?:\.\d+)?\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;
const ALLOWED: Record<MetricType, string> = { trend: "avg, min, max, med, p(N)", counter: "count, rate", rate: "rate" };

function allowed(type: MetricType, aggregation: string): boolean {
  if (type === "trend") return aggregation.startsWith("p(") || ["avg", "min", "max", "med"].includes(aggregation);
  if (type === "counter") return aggregation === "count" || aggregation === "rate";
  return aggregation === "rate";
}

function parseKey(file: string, key: string): { metric: string; tags: Tags } {
  const match = KEY.exec(key.trim());
  if (!match) throw LoadError.invalidThreshold(file, key, key, "expected a metric name optionally followed by {tag:value,…}");
  const tags: Record<string, string> = {};
  if (match[2] !== undefined) {
    for (const pair of match[2].split(",")) {
      const colon = pair.indexOf(":");
      const name = pair.slice(0, colon).trim();
      if (colon <= 0 || name.length === 0) throw LoadError.invalidThreshold(file, key, key, `tag filter '${pair}' is not tag:value`);
      tags[name] = pair.slice(colon + 1).trim();
    }
  }
  return { metric: match[1] as string, tags };
}

/** Parses `options.thresholds`; any malformed entry throws naming the file, the metric and the expression. */
export function parseThresholds(file: string, raw: unknown): Threshold[] {
  if (raw === undefined) return [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw LoadError.invalidOption(file, "options.thresholds", "expected an object of metric → [expressions]");
  }
  const result: Threshold[] = [];
  for (const [key, entries] of Object.entries(raw)) {
    const { metric, tags } = parseKey(file, key);
    if (!Array.isArray(entries)) throw LoadError.invalidThreshold(file, key, String(entries), "expected an array of expressions");
    for (const entry of entries) {
      const spec = typeof entry === "string" ? { threshold: entry } : entry;
      if (typeof spec !== "object" || spec === null || typeof spec.threshold !== "string") {
        throw LoadError.invalidThreshold(
          file,
          key,
          JSON.stringify(entry),
          "expected 'expression' or { threshold: 'expression', abortOnFail?: boolean }",
        );
      }
      const expression: string = spec.threshold;
      const match = EXPRESSION.exec(expression);
      if (!match) {
        throw LoadError.invalidThreshold(
          file,
          key,
          expression,
          "expected '<aggregation> <op> <number>' with aggregation avg|min|max|med|p(N)|count|rate and op <|<=|>|>=|==|!=",
        );
      }
      const aggregation = (match[1] as string).replace(/\s+/g, "");
      if (aggregation.startsWith("p(")) {
        const percentile = Number(aggregation.slice(2, -1));
        if (!(percentile > 0 && percentile <= 100))
          throw LoadError.invalidThreshold(file, key, expression, `percentile ${percentile} is outside (0, 100]`);
      }
      const builtin = BUILTIN_METRICS[metric];
      if (builtin && !allowed(builtin, aggregation)) {
        throw LoadError.invalidThreshold(
          file,
          key,
          expression,
          `'${aggregation}' does not apply to ${metric}, a ${builtin} metric (use ${ALLOWED[builtin]})`,
        );
      }
      if (spec.abortOnFail !== undefined && typeof spec.abortOnFail !== "boolean") {
        throw LoadError.invalidThreshold(file, key, expression, "abortOnFail must be true or false");
      }
      const delay = spec.delayAbortEval === undefined ? 0 : parseDuration(spec.delayAbortEval);
      if (delay === undefined)
        throw LoadError.invalidThreshold(file, key, expression, `delayAbortEval ${JSON.stringify(spec.delayAbortEval)} is not a duration`);
      result.push({
        key,
        metric,
        tags,
        expression,
        aggregation,
        comparison: match[2] as Comparison,
        value: Number(match[3]),
        abortOnFail: spec.abortOnFail ?? false,
        delayAbortEvalMs: delay,
      });
    }
  }
  return result;
}

function compare(actual: number, comparison: Comparison, expected: number): boolean {
  switch (comparison) {
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "==":
    case "===":
      return actual === expected;
    case "!=":
      return actual !== expected;
  }
}

/** Judges one threshold against what the store holds; `elapsedMs` turns counters into rates per second. */
export function evaluateThreshold(threshold: Threshold, store: MetricStore, elapsedMs: number): ThresholdResult {
  const base = { key: threshold.key, expression: threshold.expression, abortOnFail: threshold.abortOnFail };
  const query = store.query(threshold.metric, threshold.tags);
  if (!query) {
    if (threshold.aggregation === "count") return { ...base, actual: 0, passed: compare(0, threshold.comparison, threshold.value) };
    return { ...base, actual: null, passed: false, reason: `no samples of ${threshold.key} were recorded` };
  }
  if (!allowed(query.type, threshold.aggregation)) {
    return {
      ...base,
      actual: null,
      passed: false,
      reason: `'${threshold.aggregation}' does not apply to a ${query.type} metric (use ${ALLOWED[query.type]})`,
    };
  }
  let actual: number;
  if (query.type === "trend") {
    if (query.histogram.totalCount === 0)
      return { ...base, actual: null, passed: false, reason: `no samples of ${threshold.key} were recorded` };
    actual = trendStat(query.histogram, threshold.aggregation);
  } else if (query.type === "counter") {
    actual = threshold.aggregation === "count" ? query.count : query.count / Math.max(elapsedMs / 1000, 1e-9);
  } else {
    if (query.total === 0) return { ...base, actual: null, passed: false, reason: `no samples of ${threshold.key} were recorded` };
    actual = query.passes / query.total;
  }
  return { ...base, actual, passed: compare(actual, threshold.comparison, threshold.value) };
}
