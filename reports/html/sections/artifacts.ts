import { html } from "../html.ts";
import type { Section } from "../model.ts";

/** Links to the other files of the run record (JUnit, summary, histories), relative so they work from a CI artifact. */
export function artifactsSection(artifacts: string[]): Section | undefined {
  if (artifacts.length === 0) return undefined;
  const body = html`<section id="artifacts" data-section="artifacts">
  <h2>Run record</h2>
  <ul class="plain">${artifacts.map((file) => html`<li><a href="${encodeURI(file)}">${file}</a></li>`)}</ul>
</section>`;
  return { id: "artifacts", title: "Files", body };
}
