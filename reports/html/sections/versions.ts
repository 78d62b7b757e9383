import type { VersionFigure, VersionsSection } from "../../../harness/record/index.ts";
import { disagreementLines } from "../../trends/index.ts";
import { formatChange, formatDuration, formatMetric } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Section } from "../model.ts";

/** A version matrix (`run --nats-version A,B`): each version's run, what one fails that another passes, verdicts and figures side by side. */
export function versionsSection(versions: VersionsSection | undefined): Section | undefined {
  if (!versions) return undefined;
  const names = versions.runs.map((run) => run.version);
  const [baseline] = names;
  const moved = versions.figures.filter((figure) => figure.moved);
  const within = versions.figures.filter((figure) => !figure.moved);
  const disagreements = disagreementLines(versions);
  const { latencyIncreasePct, throughputDropPct } = versions.tolerances;
  const body = html`<section id="versions" data-section="versions">
  <h2>Versions <span class="badge ${disagreements.length > 0 ? "fail" : "pass"}">${disagreements.length > 0 ? "they disagree" : "they agree"}</span></h2>
  <p class="muted">The same profile, seed and stack once per nats-server version, each a complete run with its own record. Figures are compared with ${baseline}.</p>
  ${disagreements.map((line) => html`<div class="failure" data-disagreement>${line}</div>`)}
  <table data-table="version-runs"><thead><tr><th>Version</th><th>Reported by /varz</th><th>Verdict</th><th class="num">Exit</th><th class="num">Duration</th><th>Run record</th></tr></thead><tbody>
  ${versions.runs.map(
    (run) =>
      html`<tr${run.verdict === "pass" ? "" : html` class="bad"`} data-version="${run.version}"><td>${run.version}</td><td>${run.reported.join(", ") || "–"}</td><td><span class="badge ${run.verdict}">${run.verdict}</span></td><td class="num">${run.exitCode}</td><td class="num">${formatDuration(run.durationMs)}</td><td><a href="${run.dir}/index.html">${run.dir}/</a></td></tr>`,
  )}
  </tbody></table>
  <h3>Verdicts side by side</h3>
  <table data-table="version-verdicts"><thead><tr><th>Suite, test, experiment or threshold</th>${names.map((name) => html`<th>${name}</th>`)}</tr></thead><tbody>
  ${versions.verdicts.map((row) => {
    const differs = new Set(row.outcomes).size > 1;
    return html`<tr${differs ? html` class="bad"` : ""}><td><span class="muted">${row.kind}</span> ${row.name}</td>${row.outcomes.map((outcome) => html`<td><span class="badge ${outcome === "absent" ? "skipped" : outcome}">${outcome}</span></td>`)}</tr>`;
  })}
  </tbody></table>
  <h3>Figures that moved</h3>
  <p class="muted">Against ${baseline}: latency beyond ±${latencyIncreasePct} %, throughput beyond ±${throughputDropPct} %, any change of a count.</p>
  ${moved.length > 0 ? figureTable(names, moved, "version-figures") : html`<p class="muted">None: every figure is within tolerance.</p>`}
  ${within.length > 0 ? html`<details><summary>${within.length} ${within.length === 1 ? "figure" : "figures"} within tolerance</summary>${figureTable(names, within, "version-figures-within")}</details>` : ""}
</section>`;
  return { id: "versions", title: "Versions", body };
}

function figureTable(names: readonly string[], figures: readonly VersionFigure[], name: string): SafeHtml {
  return html`<table data-table="${name}"><thead><tr><th>Figure</th>${names.map((version) => html`<th class="num">${version}</th>`)}</tr></thead><tbody>
  ${figures.map(
    (figure) =>
      html`<tr${figure.worse ? html` class="bad"` : ""} data-figure="${figure.id}"><td>${figure.label}</td>${figure.values.map(
        (value, index) => {
          const change = figure.changePct[index] ?? null;
          return html`<td class="num">${formatMetric(value ?? undefined, figure.unit)}${change === null ? "" : html` <span class="sub">${formatChange(change)}</span>`}</td>`;
        },
      )}</tr>`,
  )}
  </tbody></table>`;
}
