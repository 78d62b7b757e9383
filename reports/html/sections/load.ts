import type { LoadSection } from "../../../harness/record/index.ts";
import { histogramChart, latencyChart, throughputChart } from "../charts.ts";
import { formatActual, formatNumber } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Section } from "../model.ts";
import { figure } from "./figure.ts";

/** Load: thresholds (the verdict), throughput and latency over time, scenarios, agents, histograms. */
export function loadSection(load: LoadSection | undefined): Section | undefined {
  if (!load || (load.scenarios.length === 0 && load.timeSeries.length === 0 && load.thresholds.length === 0 && !load.agents?.length)) {
    return undefined;
  }
  const windows = load.faultWindows ?? [];
  const failed = load.thresholds.filter((t) => !t.pass);
  const verdict = load.thresholds.length === 0 ? "" : failed.length === 0 ? "pass" : "fail";
  const body = html`<section id="load" data-section="load">
  <h2>Load ${verdict ? html`<span class="badge ${verdict}">${verdict}</span>` : ""}</h2>
  ${failed.map(
    (t) =>
      html`<div class="failure" data-failure="${t.metric} ${t.expression}"><div class="title">Threshold crossed: <code>${t.metric}</code> <code>${t.expression}</code></div><div class="where">${t.scenario ? `scenario ${t.scenario} · ` : ""}actual ${formatActual(t.actual)}</div></div>`,
  )}
  ${thresholdTable(load)}
  ${
    load.timeSeries.length > 0
      ? html`${figure("load-throughput", "Throughput and errors over time", (width) => throughputChart(load.timeSeries, windows, width), windows)}
  ${figure("load-latency", "Latency over time (p50, p99)", (width) => latencyChart(load.timeSeries, windows, width), windows)}`
      : ""
  }
  ${scenarioTable(load)}
  ${agentTable(load)}
  ${(load.histograms ?? []).filter((h) => h.buckets.length > 0).map((h) => figure(`histogram-${h.metric}`, `Latency distribution: ${h.metric}`, (width) => histogramChart(h, width)))}
</section>`;
  return { id: "load", title: "Load", body };
}

function thresholdTable(load: LoadSection): SafeHtml | string {
  if (load.thresholds.length === 0) return "";
  return html`<h3>Thresholds</h3><table data-table="thresholds"><thead><tr><th>Metric</th><th>Threshold</th><th>Scenario</th><th class="num">Actual</th><th>Result</th></tr></thead><tbody>
  ${load.thresholds.map(
    (t) =>
      html`<tr${t.pass ? "" : html` class="bad"`}><td><code>${t.metric}</code></td><td><code>${t.expression}</code></td><td>${t.scenario ?? "all"}</td><td class="num">${formatActual(t.actual)}</td><td><span class="badge ${t.pass ? "pass" : "fail"}">${t.pass ? "met" : "crossed"}</span></td></tr>`,
  )}
  </tbody></table>`;
}

function scenarioTable(load: LoadSection): SafeHtml | string {
  if (load.scenarios.length === 0) return "";
  return html`<h3>Scenarios</h3><table data-table="scenarios"><thead><tr><th>Scenario</th><th>Executor</th><th>Protocol</th><th class="num">Duration</th><th class="num">Iterations</th><th class="num">Rate</th><th class="num">Dropped</th><th class="num">Errors</th></tr></thead><tbody>
  ${load.scenarios.map(
    (s) =>
      html`<tr><td>${s.name}</td><td><code>${s.executor}</code></td><td>${s.protocol ?? "–"}</td><td class="num">${s.durationS === undefined ? "–" : `${formatNumber(s.durationS, 1)} s`}</td><td class="num">${formatNumber(s.iterations)}</td><td class="num">${s.iterations !== undefined && s.durationS ? `${formatNumber(s.iterations / s.durationS, 1)}/s` : "–"}</td><td class="num${(s.droppedIterations ?? 0) > 0 ? " bad" : ""}">${formatNumber(s.droppedIterations)}</td><td class="num${(s.errors ?? 0) > 0 ? " bad" : ""}">${formatNumber(s.errors)}</td></tr>`,
  )}
  </tbody></table>`;
}

function agentTable(load: LoadSection): SafeHtml | string {
  const agents = load.agents ?? [];
  if (agents.length === 0) return "";
  return html`<h3>Agents</h3><table data-table="agents"><thead><tr><th>Scenario</th><th>Agent</th><th>Host</th><th class="num">Workers</th><th class="num">Share</th><th class="num">Started</th><th class="num">Dropped</th><th class="num">Errors</th><th class="num">CPU max</th><th class="num">RSS max</th><th>Kept its share</th></tr></thead><tbody>
  ${agents.map(
    (a) =>
      html`<tr${a.behind ? html` class="bad" data-behind="${a.name}"` : ""}><td>${a.scenario}</td><td>${a.name}</td><td>${a.host}</td><td class="num">${formatNumber(a.workers)}</td><td class="num">${formatNumber(a.share * 100, 1)} %</td><td class="num">${formatNumber(a.started)}</td><td class="num${a.dropped > 0 ? " bad" : ""}">${formatNumber(a.dropped)}</td><td class="num${a.errors > 0 ? " bad" : ""}">${formatNumber(a.errors)}</td><td class="num">${formatNumber(a.cpuMaxPercent, 0)} %</td><td class="num">${formatNumber(a.rssMaxBytes / 2 ** 20, 0)} MB</td><td>${a.behind ?? "yes"}</td></tr>`,
  )}
  </tbody></table>`;
}
