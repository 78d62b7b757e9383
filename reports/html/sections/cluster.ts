import type { ClusterSnapshot } from "../../../harness/record/index.ts";
import { formatNumber, formatTimestamp } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Section } from "../model.ts";

type Cluster = { before?: ClusterSnapshot | undefined; after?: ClusterSnapshot | undefined };
type Phase = "before" | "after";

/** Cluster state before and after the run, side by side: nodes up, meta leader, streams with their current replicas. */
export function clusterSection(cluster: Cluster | undefined): Section | undefined {
  const phases = (["before", "after"] as const).filter((phase) => cluster?.[phase] !== undefined);
  if (!cluster || phases.length === 0) return undefined;
  const snapshots = phases.map((phase) => [phase, cluster[phase] as ClusterSnapshot] as const);
  const nodeNames = unique(snapshots.flatMap(([, s]) => s.nodes.map((n) => n.name)));
  const streamNames = unique(snapshots.flatMap(([, s]) => s.streams.map((st) => st.name)));
  const body = html`<section id="cluster" data-section="cluster">
  <h2>Cluster state</h2>
  <p class="muted">${snapshots.map(([phase, s]) => html`${phase}: ${s.at ? formatTimestamp(s.at) : "time not recorded"}; meta leader <strong>${s.metaLeader ?? "none"}</strong>. `)}</p>
  <div class="cluster-grid">
  <div><h3>Nodes</h3><table data-table="cluster-nodes"><thead><tr><th>Node</th>${phases.map((p) => html`<th>${p}</th>`)}</tr></thead><tbody>
  ${nodeNames.map((name) => html`<tr><td>${name}</td>${snapshots.map(([, s]) => nodeCell(s, name))}</tr>`)}
  </tbody></table></div>
  <div><h3>Streams</h3>${
    streamNames.length === 0
      ? html`<p class="muted">No streams.</p>`
      : html`<table data-table="cluster-streams"><thead><tr><th rowspan="2">Stream</th><th class="num" colspan="${phases.length}">current / replicas</th><th class="num" colspan="${phases.length}">messages</th></tr><tr>${phases.map((p) => html`<th class="num">${p}</th>`)}${phases.map((p) => html`<th class="num">${p}</th>`)}</tr></thead><tbody>
  ${streamNames.map((name) => streamRow(name, snapshots))}
  </tbody></table><p class="note">A replica is current when it has caught up with the stream leader.</p>`
  }</div>
  </div>
</section>`;
  return { id: "cluster", title: "Cluster", body };
}

function nodeCell(snapshot: ClusterSnapshot, name: string): SafeHtml {
  const node = snapshot.nodes.find((n) => n.name === name);
  if (!node) return html`<td class="muted">absent</td>`;
  return html`<td><span class="badge ${node.up ? "pass" : "fail"}">${node.up ? "up" : "down"}</span>${node.jetstream === false ? html` <span class="badge warn">no JetStream</span>` : ""}${snapshot.metaLeader === name ? html` <span class="badge leader">leader</span>` : ""}</td>`;
}

function streamRow(name: string, snapshots: (readonly [Phase, ClusterSnapshot])[]): SafeHtml {
  const streams = snapshots.map(([, s]) => s.streams.find((st) => st.name === name));
  return html`<tr><td><code>${name}</code></td>${streams.map((st) => {
    if (!st) return html`<td class="num muted">absent</td>`;
    const healthy = st.current >= st.replicas;
    return html`<td class="num ${healthy ? "good" : "bad"}">${st.current} / ${st.replicas}${st.leader ? html`<br><span class="muted">leader ${st.leader}</span>` : ""}</td>`;
  })}${streams.map((st) => html`<td class="num">${formatNumber(st?.messages)}</td>`)}</tr>`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
