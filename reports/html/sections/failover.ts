import type { FailoverExperiment, FailoverSection } from "../../../harness/record/index.ts";
import { latencyChart, throughputChart } from "../charts.ts";
import { countMeaning, orderCounts } from "../checker-counts.ts";
import { formatMs, formatNumber } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Section } from "../model.ts";
import { figure } from "./figure.ts";

/** Failover: which experiments failed and why, the checkers' counts, and the perf plots with every fault window shaded. */
export function failoverSection(failover: FailoverSection | undefined): Section | undefined {
  if (!failover || (failover.experiments.length === 0 && failover.timeSeries.length === 0)) return undefined;
  const experiments = failover.experiments;
  const windows = experiments.flatMap((e) => e.faultWindows);
  const counts = orderCounts(experiments.flatMap((e) => Object.keys(e.checkers)));
  const failed = experiments.filter((e) => e.verdict !== "pass");
  const verdict = experiments.length === 0 ? "" : failed.length === 0 ? "pass" : "fail";
  const body = html`<section id="failover" data-section="failover">
  <h2>Failover ${verdict ? html`<span class="badge ${verdict}">${verdict}</span>` : ""}</h2>
  ${failed.map(
    (e) =>
      html`<div class="failure" data-failure="${e.name}"><div class="title">${e.name} <span class="badge ${e.verdict}">${e.verdict}</span></div><div class="where">fault: ${e.fault}</div><div>${e.reason ?? countsLine(e)}</div></div>`,
  )}
  ${
    experiments.length > 0
      ? html`<h3>Checker results</h3><table class="stack" data-table="checkers"><thead><tr><th>Experiment</th>${counts.map((c) => html`<th class="num">${countMeaning(c).label}</th>`)}<th class="num">JetStream unavailable</th><th>Verdict</th></tr></thead><tbody>
  ${experiments.map(
    (e) =>
      html`<tr${e.verdict === "pass" ? "" : html` class="bad"`}><td data-label="Experiment">${e.name}${e.fault === e.name ? "" : html`<div class="sub"><code>${e.fault}</code></div>`}</td>${counts.map((c) => countCell(c, e.checkers[c]))}<td class="num" data-label="JetStream unavailable">${formatMs(e.maxUnavailableMs)}${resolutionLine(e)}</td><td data-label="Verdict"><span class="badge ${e.verdict}">${e.verdict}</span></td></tr>`,
  )}
  </tbody></table>${warningsList(experiments)}<p class="note">Lost: acknowledged, never read back, and on no replica; lost on a minority: acknowledged, never read back, held by some replicas and missing on others (the replicas diverge); unreadable: acknowledged, never read back, yet stored on every replica; duplicated: delivered more than once; unexpected: read but never sent; stale reads: a KV read older than a confirmed write; failed outside faults: operations that failed while no fault was active. Recovered messages (a timed-out publish that was stored) are neither lost nor duplicated. Unavailable: the longest time without a successful operation; under it, the resolution it was measured with: the widest gap between two consecutive publish attempts (all publishers merged) and the 99th percentile of those gaps — a shorter unavailability could go unseen.</p>`
      : ""
  }
  ${
    failover.timeSeries.length > 0
      ? html`${figure("failover-throughput", "Throughput and errors during faults", (width) => throughputChart(failover.timeSeries, windows, width), windows)}
  ${figure("failover-latency", "Latency during faults (p50, p99)", (width) => latencyChart(failover.timeSeries, windows, width), windows)}`
      : ""
  }
</section>`;
  return { id: "failover", title: "Failover", body };
}

function countCell(name: string, value: number | undefined): SafeHtml {
  const { label, kind } = countMeaning(name);
  const shown = value === undefined ? "–" : kind === "duration" ? formatMs(value) : formatNumber(value);
  const bad = kind === "finding" && value !== undefined && value > 0;
  return html`<td class="num${bad ? " bad" : ""}" data-label="${label}">${shown}</td>`;
}

/** What the unavailability figure is good to (short: the cell does not wrap), marked when coarser than the experiment's bound; the rest in its title. */
function resolutionLine(e: FailoverExperiment): SafeHtml | string {
  const spacing = e.resolution?.jetstream;
  if (!spacing) return "";
  const bound = e.resolution?.boundMs;
  const coarse = bound !== undefined && spacing.widestGapMs > bound;
  const title = [
    `widest gap between publish attempts ${formatMs(spacing.widestGapMs)}, p99 ${formatMs(spacing.p99GapMs)}`,
    ...(coarse ? [`coarser than the ${formatMs(bound)} bound`] : []),
    ...(e.resolution?.workloads ? [`attempts from the ${e.resolution.workloads}`] : []),
  ].join("; ");
  return html`<div class="sub${coarse ? " coarse" : ""}" data-resolution="${spacing.widestGapMs}" title="${title}">± ${formatMs(spacing.widestGapMs)}</div>`;
}

function warningsList(experiments: readonly FailoverExperiment[]): SafeHtml | string {
  const warned = experiments.flatMap((e) => (e.warnings ?? []).map((warning) => ({ name: e.name, warning })));
  if (warned.length === 0) return "";
  return html`<ul class="warnings" data-warnings="failover">${warned.map(({ name, warning }) => html`<li><span class="badge warn">warning</span> ${name}: ${warning}</li>`)}</ul>`;
}

/** The findings in words, for an experiment that failed without a reason. */
function countsLine(e: FailoverExperiment): string {
  return orderCounts(Object.keys(e.checkers))
    .filter((name) => countMeaning(name).kind === "finding")
    .map((name) => `${countMeaning(name).label.toLowerCase()} ${e.checkers[name]}`)
    .join(", ");
}
