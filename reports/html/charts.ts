import * as echarts from "echarts";
import type { FaultWindow, LatencyHistogram, TimePoint } from "../../harness/record/index.ts";

export const CHART_WIDTH = 1040;
/** The width charts are drawn at for windows under 1000 px (a laptop half-screen, a phone on its side), so their text stays readable. */
export const NARROW_CHART_WIDTH = 700;
export const CHART_HEIGHT = 300;
export const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/** Opacity of a shaded fault window: tests find the shading by it. */
export const FAULT_SHADE_OPACITY = 0.16;

const INK = "#1f2937";
const MUTED = "#6b7280";
const GRID = "#e5e7eb";
export const SERIES_COLORS = { rate: "#2563eb", errors: "#dc2626", p50: "#0d9488", p99: "#7c3aed" } as const;
const FAULT_PALETTE = ["#dc2626", "#ea580c", "#ca8a04", "#9333ea", "#db2777", "#0891b2", "#4d7c0f"];

const KNOWN_FAULTS: Record<string, string> = {
  kill: "#dc2626",
  pause: "#d97706",
  partition: "#7c3aed",
  stop: "#db2777",
  "lame-duck": "#0891b2",
  delay: "#65a30d",
  clock: "#0d9488",
};

/** One colour per fault kind ("kill", "pause", "partition"…), stable across charts and runs. */
export function faultColor(fault: string): string {
  const kind = (fault.split(/[\s:(]/)[0] ?? fault).toLowerCase();
  const known = KNOWN_FAULTS[kind];
  if (known) return known;
  let hash = 0;
  for (const char of kind) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return FAULT_PALETTE[hash % FAULT_PALETTE.length] ?? "#dc2626";
}

function render(option: echarts.EChartsCoreOption, width = CHART_WIDTH, height = CHART_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: INK }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The time axis's bounds: the data's, rounded out to a step that leaves little empty room. */
function timeBounds(points: TimePoint[], windows: FaultWindow[]): { min: number; max: number } {
  const times = [...points.map((p) => p.t), ...windows.flatMap((w) => [w.start, w.end])];
  const low = Math.min(...times);
  const high = Math.max(...times);
  const step = high - low > 120 ? 10 : high - low > 30 ? 5 : 1;
  return { min: Math.floor(low / step) * step, max: Math.max(Math.ceil(high / step) * step, Math.floor(low / step) * step + 1) };
}

function timeAxis(points: TimePoint[], windows: FaultWindow[]) {
  return {
    type: "value",
    name: "run time (s)",
    nameLocation: "middle",
    nameGap: 28,
    ...timeBounds(points, windows),
    axisLine: { lineStyle: { color: MUTED } },
    axisLabel: { color: MUTED },
    splitLine: { show: false },
  };
}

function valueAxis(name: string, extra: Record<string, unknown> = {}) {
  return {
    type: "value",
    name,
    nameTextStyle: { color: MUTED, align: "left" },
    axisLabel: { color: MUTED },
    splitLine: { lineStyle: { color: GRID } },
    ...extra,
  };
}

const legend = { top: 0, left: "center", textStyle: { color: INK, fontSize: 12 }, itemWidth: 18, itemHeight: 8 };
const grid = { left: 64, right: 64, top: 40, bottom: 48 };
const LABEL_FONT_SIZE = 11;
/** A generous average advance of the label font, so an estimated label is never narrower than the drawn one. */
const LABEL_CHAR_WIDTH = 6.6;
const LABEL_ROW_HEIGHT = 16;

function faultAreas(windows: FaultWindow[]) {
  return {
    silent: true,
    label: { show: false },
    data: windows.map((w) => [
      { name: w.fault, xAxis: w.start, itemStyle: { color: faultColor(w.fault), opacity: FAULT_SHADE_OPACITY } },
      { xAxis: Math.max(w.end, w.start) },
    ]),
  };
}

/**
 * Each fault window's name at the top left of its window, moved down a row whenever it would
 * run into an earlier one (many short experiments side by side), drawn above the series on a
 * light backdrop so a line under it cannot scramble it.
 */
function faultLabels(windows: FaultWindow[], bounds: { min: number; max: number }, chartWidth: number) {
  const plotWidth = chartWidth - grid.left - grid.right;
  const x = (t: number) => grid.left + ((t - bounds.min) / (bounds.max - bounds.min || 1)) * plotWidth;
  const rowEnds: number[] = [];
  return [...windows]
    .sort((a, b) => a.start - b.start)
    .map((w) => {
      const width = w.fault.length * LABEL_CHAR_WIDTH + 6;
      const left = Math.min(x(w.start) + 2, chartWidth - width);
      let row = rowEnds.findIndex((end) => end <= left);
      if (row === -1) row = rowEnds.length;
      rowEnds[row] = left + width + 4;
      return {
        type: "text",
        left,
        top: grid.top + 3 + row * LABEL_ROW_HEIGHT,
        z: 100,
        silent: true,
        style: {
          text: w.fault,
          fill: INK,
          font: `${LABEL_FONT_SIZE}px ${FONT}`,
          backgroundColor: "rgba(255,255,255,0.85)",
          padding: [1, 3],
        },
      };
    });
}

/** `[t, value]` pairs with a break (a null) wherever seconds are missing, so a line never bridges time without data. */
function series(points: TimePoint[], pick: (p: TimePoint) => number): Array<[number, number | null]> {
  const out: Array<[number, number | null]> = [];
  for (const [index, point] of points.entries()) {
    const previous = points[index - 1];
    if (previous && point.t - previous.t > 1.5) out.push([previous.t + 1, null]);
    out.push([point.t, pick(point)]);
  }
  return out;
}

/** Completed operations per second and errors per second, fault windows shaded (Jepsen's rate plot). */
export function throughputChart(points: TimePoint[], windows: FaultWindow[], width = CHART_WIDTH): string {
  return render(
    {
      legend,
      grid,
      graphic: faultLabels(windows, timeBounds(points, windows), width),
      xAxis: timeAxis(points, windows),
      yAxis: [
        valueAxis("ops/s", { min: 0 }),
        valueAxis("errors/s", { min: 0, splitLine: { show: false }, nameTextStyle: { color: MUTED, align: "right" } }),
      ],
      series: [
        {
          name: "throughput (ops/s)",
          type: "line",
          showSymbol: false,
          lineStyle: { width: 1.6, color: SERIES_COLORS.rate },
          itemStyle: { color: SERIES_COLORS.rate },
          areaStyle: { color: SERIES_COLORS.rate, opacity: 0.08 },
          data: series(points, (p) => p.rate),
          markArea: faultAreas(windows),
        },
        {
          name: "errors/s",
          type: "bar",
          yAxisIndex: 1,
          barMaxWidth: 6,
          itemStyle: { color: SERIES_COLORS.errors },
          data: points.map((p) => [p.t, p.errors]),
        },
      ],
    },
    width,
  );
}

/** p50 and p99 latency per second, on a log scale when the spread needs it, fault windows shaded (Jepsen's latency plot). */
export function latencyChart(points: TimePoint[], windows: FaultWindow[], width = CHART_WIDTH): string {
  const values = points.flatMap((p) => [p.p50, p.p99]);
  const positive = values.filter((v) => v > 0);
  const logScale = positive.length === values.length && positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 100;
  const line = (name: string, color: string, pick: (p: TimePoint) => number, withAreas: boolean) => ({
    name,
    type: "line",
    showSymbol: false,
    lineStyle: { width: 1.6, color },
    itemStyle: { color },
    data: series(points, pick),
    ...(withAreas ? { markArea: faultAreas(windows) } : {}),
  });
  return render(
    {
      legend,
      grid,
      graphic: faultLabels(windows, timeBounds(points, windows), width),
      xAxis: timeAxis(points, windows),
      yAxis: valueAxis(logScale ? "latency (ms, log scale)" : "latency (ms)", logScale ? { type: "log", logBase: 10 } : { min: 0 }),
      series: [line("p50", SERIES_COLORS.p50, (p) => p.p50, true), line("p99", SERIES_COLORS.p99, (p) => p.p99, false)],
    },
    width,
  );
}

/** How many operations fell in each latency bucket. */
export function histogramChart(histogram: LatencyHistogram, width = CHART_WIDTH): string {
  const buckets = [...histogram.buckets].sort((a, b) => a.upToMs - b.upToMs);
  return render(
    {
      grid: { ...grid, top: 32 },
      xAxis: {
        type: "category",
        name: "≤ ms",
        nameLocation: "middle",
        nameGap: 28,
        data: buckets.map((b) => String(b.upToMs)),
        axisLabel: { color: MUTED },
      },
      yAxis: valueAxis("operations", { min: 0 }),
      series: [{ type: "bar", itemStyle: { color: SERIES_COLORS.rate }, data: buckets.map((b) => b.count) }],
    },
    width,
    240,
  );
}

/** p50 / p90 / p99 per endpoint as grouped horizontal bars, slowest first. */
export function endpointLatencyChart(
  endpoints: { endpoint: string; p50: number; p90: number; p99: number }[],
  width = CHART_WIDTH,
): string {
  const sorted = [...endpoints].sort((a, b) => a.p99 - b.p99);
  const bar = (name: string, color: string, pick: (e: (typeof sorted)[number]) => number) => ({
    name,
    type: "bar",
    barGap: "10%",
    itemStyle: { color },
    data: sorted.map(pick),
  });
  return render(
    {
      legend,
      grid: { left: 200, right: 48, top: 32, bottom: 40 },
      xAxis: valueAxis("ms", { min: 0, nameLocation: "end" }),
      yAxis: { type: "category", data: sorted.map((e) => e.endpoint), axisLabel: { color: INK, fontSize: 11 } },
      series: [
        bar("p50", SERIES_COLORS.p50, (e) => e.p50),
        bar("p90", "#60a5fa", (e) => e.p90),
        bar("p99", SERIES_COLORS.p99, (e) => e.p99),
      ],
    },
    width,
    Math.max(160, 70 + sorted.length * 30),
  );
}
