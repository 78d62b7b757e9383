import { failureNames } from "../../trends/index.ts";
import { formatMs } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { ReportModel } from "../model.ts";

const WORDS = { pass: "PASS", fail: "FAIL", error: "ERROR" } as const;

/** The answer first: pass or fail, why, and the few numbers that say how the run went. */
export function verdictSection(model: ReportModel): SafeHtml {
  const { summary } = model;
  const failures = failureNames(summary);
  const reasons = summary.reasons.length > 0 ? summary.reasons : failures;
  const explain =
    summary.verdict === "pass"
      ? "Every suite passed."
      : summary.verdict === "error"
        ? "The run could not complete."
        : `${reasons.length} ${reasons.length === 1 ? "check" : "checks"} failed.`;
  const regressions = model.trends.filter((view) => view.comparison.regressed);
  return html`<section class="verdict ${summary.verdict}" id="verdict" data-section="verdict">
  <div class="headline"><span class="word" data-verdict="${summary.verdict}">${WORDS[summary.verdict]}</span>
  <span class="explain">${explain} Exit code ${summary.exitCode}.</span></div>
  ${reasons.length > 0 ? html`<ul class="reasons">${reasons.map((reason) => html`<li>${reason}</li>`)}</ul>` : ""}
  ${regressions.map(
    (view) =>
      html`<p><span class="badge warn">regressed</span> ${view.comparison.regressions.length} ${view.comparison.regressions.length === 1 ? "regression" : "regressions"} against the ${view.label} (<code>${view.comparison.previousRunId}</code>): <a href="#trends">see trends</a>.</p>`,
  )}
  <div class="tiles">${tiles(model)}</div>
</section>`;
}

function tiles(model: ReportModel): SafeHtml[] {
  const { summary } = model;
  const tests = summary.suites.flatMap((suite) => suite.tests);
  const failed = tests.filter((test) => test.state === "failed").length;
  const out: SafeHtml[] = [];
  if (tests.length > 0) {
    out.push(tile("tests", html`${tests.length - failed}<small> / ${tests.length} passed</small>`, failed > 0));
  }
  const experiments = summary.failover?.experiments ?? [];
  if (experiments.length > 0) {
    const passed = experiments.filter((e) => e.verdict === "pass").length;
    out.push(tile("fault experiments", html`${passed}<small> / ${experiments.length} passed</small>`, passed < experiments.length));
    const lost = experiments.reduce((sum, e) => sum + e.checkers.lost, 0);
    out.push(tile("messages lost", html`${lost}`, lost > 0));
  }
  const thresholds = summary.load?.thresholds ?? [];
  if (thresholds.length > 0) {
    const passed = thresholds.filter((t) => t.pass).length;
    out.push(tile("load thresholds", html`${passed}<small> / ${thresholds.length} met</small>`, passed < thresholds.length));
  }
  const endpoints = summary.latency?.endpoints ?? [];
  if (endpoints.length > 0) {
    const worst = endpoints.reduce((a, b) => (b.p99 > a.p99 ? b : a));
    out.push(tile("slowest p99", html`${formatMs(worst.p99)}<div class="sub">${worst.endpoint}</div>`, false));
  }
  const after = summary.cluster?.after;
  if (after) {
    const up = after.nodes.filter((node) => node.up).length;
    out.push(
      tile(
        "cluster after",
        html`${up}<small> / ${after.nodes.length} nodes up</small>`,
        up < after.nodes.length || after.metaLeader === null,
      ),
    );
  }
  return out;
}

function tile(label: string, value: SafeHtml, bad: boolean): SafeHtml {
  return html`<div class="tile"><div class="label">${label}</div><div class="value"${bad ? html` style="color:var(--fail)"` : ""}>${value}</div></div>`;
}
