import type { MetricComparison, MetricStatus } from "../../trends/index.ts";
import { formatChange, formatMetric } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { ReportModel, Section, TrendView } from "../model.ts";

const ORDER: Record<MetricStatus, number> = { regressed: 0, improved: 1, new: 2, unchanged: 3, gone: 4 };

/** Each key metric against the previous run and the saved baseline, regressions flagged and listed first. */
export function trendsSection(model: ReportModel): Section | undefined {
  if (model.trends.length === 0) return undefined;
  const views = model.trends;
  const byView = views.map((view) => new Map(view.comparison.metrics.map((m) => [m.id, m])));
  const rows = [...new Set(views.flatMap((view) => view.comparison.metrics.filter((m) => m.status !== "gone").map((m) => m.id)))].map(
    (id) => {
      const comparisons = byView.map((map) => map.get(id));
      const rank = Math.min(...comparisons.map((c) => (c ? ORDER[c.status] : ORDER.new)));
      return { id, comparisons, rank };
    },
  );
  rows.sort((a, b) => a.rank - b.rank);
  const notable = rows.filter((row) => row.rank < ORDER.unchanged);
  const unchanged = rows.filter((row) => row.rank >= ORDER.unchanged);
  const body = html`<section id="trends" data-section="trends">
  <h2>Trends</h2>
  <p class="muted">Compared with ${views.map((view, i) => html`${i > 0 ? " and " : ""}the ${view.label} <code>${view.comparison.previousRunId}</code>`)}. A regression is any new failure, latency up by more than ${tolerance(views, "latency")}, throughput down by more than ${tolerance(views, "throughput")}, or any rise of a checker or failure count.</p>
  ${views.map((view) => regressionList(view))}
  ${notable.length > 0 ? table(views, notable, "trends") : html`<p class="muted">No key metric moved beyond its tolerance.</p>`}
  ${unchanged.length > 0 ? html`<details><summary>${unchanged.length} unchanged ${unchanged.length === 1 ? "metric" : "metrics"}</summary>${table(views, unchanged, "trends-unchanged")}</details>` : ""}
</section>`;
  return { id: "trends", title: "Trends", body };
}

function tolerance(views: TrendView[], kind: "latency" | "throughput"): string {
  const value = views[0]?.comparison.tolerances[kind === "latency" ? "latencyIncreasePct" : "throughputDropPct"];
  return `${value} %`;
}

function table(views: TrendView[], rows: { id: string; comparisons: (MetricComparison | undefined)[] }[], name: string): SafeHtml {
  return html`<table data-table="${name}"><thead><tr><th>Metric</th><th class="num">This run</th>${views.map((view) => html`<th class="num">${view.label}</th><th class="num">change</th>`)}</tr></thead><tbody>
  ${rows.map(({ id, comparisons }) => {
    const any = comparisons.find((row): row is MetricComparison => row !== undefined);
    if (!any) return "";
    const regressed = comparisons.some((row) => row?.status === "regressed");
    return html`<tr${regressed ? html` class="bad"` : ""} data-metric="${id}"><td>${any.label}</td><td class="num">${formatMetric(any.current, any.unit)}</td>${comparisons.map((row) => cells(row))}</tr>`;
  })}
  </tbody></table>`;
}

function cells(row: MetricComparison | undefined): SafeHtml {
  if (!row || row.previous === undefined) return html`<td class="num muted">–</td><td class="num"><span class="badge new">new</span></td>`;
  const badge = row.status === "unchanged" ? "" : html` <span class="badge ${row.status}">${row.status}</span>`;
  return html`<td class="num">${formatMetric(row.previous, row.unit)}</td><td class="num${row.status === "regressed" ? " bad" : row.status === "improved" ? " good" : ""}">${formatChange(row.changePct)}${badge}</td>`;
}

function regressionList(view: TrendView): SafeHtml {
  const { newFailures, fixed, metrics } = view.comparison;
  const regressedMetrics = metrics.filter((m) => m.status === "regressed").length;
  if (newFailures.length === 0 && regressedMetrics === 0 && fixed.length === 0)
    return html`<p><span class="badge pass">no regression</span> against the ${view.label}.</p>`;
  return html`<div data-regressions="${view.label}">${
    newFailures.length > 0 || regressedMetrics > 0
      ? html`<p><span class="badge regressed">regressed</span> against the ${view.label}: ${newFailures.length} new ${newFailures.length === 1 ? "failure" : "failures"}, ${regressedMetrics} ${regressedMetrics === 1 ? "metric" : "metrics"} beyond tolerance.</p>`
      : ""
  }${newFailures.length > 0 ? html`<ul class="plain">${newFailures.map((f) => html`<li>new failure: ${f}</li>`)}</ul>` : ""}${fixed.length > 0 ? html`<p><span class="badge improved">fixed</span> since the ${view.label}:</p><ul class="plain">${fixed.map((f) => html`<li>${f}</li>`)}</ul>` : ""}</div>`;
}
