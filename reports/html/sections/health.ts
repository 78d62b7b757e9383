import type { HealthCheckpoint } from "../../../harness/record/index.ts";
import { html } from "../html.ts";
import type { Section } from "../model.ts";

const ACTION = {
  restarted: { badge: "warn", word: "restarted", outcome: "the local stack was started afresh before it" },
  degraded: { badge: "fail", word: "degraded", outcome: "it ran on the system as it was" },
} as const;

/** Suite boundaries at which the system was not healthy: what was wrong, and whether the next suite ran on a fresh stack or a degraded one. */
export function healthSection(checkpoints: readonly HealthCheckpoint[] | undefined): Section | undefined {
  if (!checkpoints || checkpoints.length === 0) return undefined;
  const degraded = checkpoints.filter((checkpoint) => checkpoint.action === "degraded").map((checkpoint) => checkpoint.before);
  const body = html`<section id="health" data-section="health">
  <h2>System health between suites <span class="badge fail">unhealthy</span></h2>
  <p>A suite left the system unhealthy ${checkpoints.length === 1 ? "once" : `${checkpoints.length} times`}.${
    degraded.length > 0 ? html` Results of ${degraded.join(", ")} come from a degraded system: read them with that in mind.` : ""
  }</p>
  ${checkpoints.map((checkpoint) => {
    const action = ACTION[checkpoint.action];
    return html`<div class="failure" data-health="${checkpoint.before}"><div class="title">after ${checkpoint.after}, before ${checkpoint.before} <span class="badge ${action.badge}">${action.word}</span></div>
    <ul class="plain">${checkpoint.problems.map((problem) => html`<li>${problem}</li>`)}</ul>
    <div class="where">${checkpoint.detail ?? action.outcome}</div></div>`;
  })}
</section>`;
  return { id: "health", title: "Health", body };
}
