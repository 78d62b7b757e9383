import { type SuiteResult, xmlSafe } from "../../../harness/record/index.ts";
import { formatDuration } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Section } from "../model.ts";

/** One section per suite: its failures with their reason first, then every test. */
export function suiteSections(suites: SuiteResult[]): Section[] {
  return suites.map((suite) => ({ id: `suite-${slug(suite.name)}`, title: suite.name, body: suiteBody(suite) }));
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "x"
  );
}

function suiteBody(suite: SuiteResult): SafeHtml {
  const failed = suite.tests.filter((test) => test.state === "failed");
  const skipped = suite.tests.filter((test) => test.state === "skipped").length;
  const passed = suite.tests.length - failed.length - skipped;
  return html`<section id="suite-${slug(suite.name)}" data-section="suite" data-suite="${suite.name}">
  <h2>Suite: ${suite.name} <span class="badge ${suite.verdict}">${suite.verdict}</span></h2>
  <p class="muted">${passed} passed, ${failed.length} failed${skipped > 0 ? `, ${skipped} skipped` : ""} in ${formatDuration(suite.durationMs)}.</p>
  ${failed.map(
    (test) => html`<div class="failure" data-failure="${test.fullName}">
    <div class="title">${test.fullName || test.name}</div>
    <div class="where">${test.file} · ${formatDuration(test.durationMs)}</div>
    ${test.errors.length > 0 ? test.errors.map((error) => html`<pre>${xmlSafe(error.stack ?? error.message)}</pre>`) : html`<pre>failed without an error message</pre>`}
  </div>`,
  )}
  ${suite.verdict !== "pass" && failed.length === 0 ? html`<div class="failure"><div class="title">The suite ended with verdict '${suite.verdict}' but no test failed: see the run log.</div></div>` : ""}
  ${
    suite.tests.length > 0
      ? html`<details${failed.length === 0 && suite.tests.length <= 12 ? " open" : ""}><summary>All ${suite.tests.length} tests</summary>
  <table data-table="tests-${slug(suite.name)}"><thead><tr><th>Test</th><th>File</th><th class="num">Duration</th><th>Result</th></tr></thead><tbody>
  ${suite.tests.map(
    (test) =>
      html`<tr${test.state === "failed" ? html` class="bad"` : ""}><td>${test.fullName || test.name}</td><td class="muted">${test.file}</td><td class="num">${formatDuration(test.durationMs)}</td><td><span class="badge ${test.state}">${test.state}</span></td></tr>`,
  )}
  </tbody></table></details>`
      : ""
  }
</section>`;
}
