import type { LatencySection } from "../../../harness/record/index.ts";
import { endpointLatencyChart } from "../charts.ts";
import { formatMs, formatNumber } from "../format.ts";
import { html } from "../html.ts";
import type { Section } from "../model.ts";
import { figure } from "./figure.ts";

/** Per-endpoint latency percentiles: a chart of the spread and the exact table. */
export function latencySection(latency: LatencySection | undefined): Section | undefined {
  if (!latency || latency.endpoints.length === 0) return undefined;
  const endpoints = [...latency.endpoints].sort((a, b) => b.p99 - a.p99);
  const body = html`<section id="latency" data-section="latency">
  <h2>Latency per endpoint</h2>
  ${figure("endpoint-latency", "p50 / p90 / p99 per endpoint (ms)", (width) => endpointLatencyChart(endpoints, width))}
  <table data-table="endpoint-latency"><thead><tr><th>Endpoint</th><th class="num">Requests</th><th class="num">Errors</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody>
  ${endpoints.map(
    (e) =>
      html`<tr><td><code>${e.endpoint}</code></td><td class="num">${formatNumber(e.count)}</td><td class="num${(e.errors ?? 0) > 0 ? " bad" : ""}">${formatNumber(e.errors)}</td><td class="num">${formatMs(e.p50)}</td><td class="num">${formatMs(e.p90)}</td><td class="num">${formatMs(e.p99)}</td><td class="num">${formatMs(e.max)}</td></tr>`,
  )}
  </tbody></table>
</section>`;
  return { id: "latency", title: "Latency", body };
}
