import type { FailoverExperiment, FailoverSection } from "../../../harness/record/index.ts";
import { latencyChart, throughputChart } from "../charts.ts";
import { formatDuration, formatMs } from "../format.ts";
import { html } from "../html.ts";
import type { Section } from "../model.ts";
import { figure } from "./figure.ts";

const FIRST_COUNTS = ["lost", "duplicated", "unexpected"];

/** Failover: which experiments failed and why, the checkers' counts, and the perf plots with every fault window shaded. */
export function failoverSection(failover: FailoverSection | undefined): Section | undefined {
  if (!failover || (failover.experiments.length === 0 && failover.timeSeries.length === 0)) return undefined;
  const experiments = failover.experiments;
  const windows = experiments.flatMap((e) => e.faultWindows);
  const otherCounts = [
    ...new Set(experiments.flatMap((e) => Object.keys(e.checkers)).filter((name) => !FIRST_COUNTS.includes(name))),
  ].sort();
  const counts = [...FIRST_COUNTS, ...otherCounts];
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
      ? html`<h3>Checker results</h3><table data-table="checkers"><thead><tr><th>Experiment</th><th>Fault</th>${counts.map((c) => html`<th class="num">${c}</th>`)}<th class="num">Longest unavailability</th><th class="num">Duration</th><th>Verdict</th></tr></thead><tbody>
  ${experiments.map(
    (e) =>
      html`<tr${e.verdict === "pass" ? "" : html` class="bad"`}><td>${e.name}</td><td><code>${e.fault}</code></td>${counts.map((c) => {
        const value = e.checkers[c];
        return html`<td class="num${value !== undefined && value > 0 && c !== "recovered" ? " bad" : ""}">${value ?? "–"}</td>`;
      })}<td class="num">${formatMs(e.maxUnavailableMs)}</td><td class="num">${e.durationMs === undefined ? "–" : formatDuration(e.durationMs)}</td><td><span class="badge ${e.verdict}">${e.verdict}</span></td></tr>`,
  )}
  </tbody></table><p class="note">lost: acknowledged but never read back; duplicated: delivered more than once; unexpected: read but never sent. Recovered messages (a timed-out publish that was stored) are neither lost nor duplicated.</p>`
      : ""
  }
  ${
    failover.timeSeries.length > 0
      ? html`${figure("failover-throughput", "Throughput and errors during faults", throughputChart(failover.timeSeries, windows), windows)}
  ${figure("failover-latency", "Latency during faults (p50, p99)", latencyChart(failover.timeSeries, windows), windows)}`
      : ""
  }
</section>`;
  return { id: "failover", title: "Failover", body };
}

function countsLine(e: FailoverExperiment): string {
  return Object.entries(e.checkers)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ");
}
