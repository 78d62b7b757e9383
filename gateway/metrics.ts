/** Upper bounds (seconds) of the request latency histogram. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface ConnectionState {
  natsConnected: boolean;
  draining: boolean;
  reconnects: number;
}

interface RouteLatency {
  counts: number[];
  sum: number;
  count: number;
}

/** Prometheus text exposition of the gateway's request counters, latency and NATS state. */
export class GatewayMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, RouteLatency>();

  observe(route: string, status: number, seconds: number): void {
    const key = `${route}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let latency = this.#latency.get(route);
    if (!latency) {
      latency = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(route, latency);
    }
    const bucket = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) latency.counts[bucket] = (latency.counts[bucket] ?? 0) + 1;
    latency.sum += seconds;
    latency.count += 1;
  }

  render(state: ConnectionState): string {
    const lines = [
      "# HELP gateway_http_requests_total HTTP requests answered, by route and status.",
      "# TYPE gateway_http_requests_total counter",
    ];
    for (const [key, value] of this.#requests) {
      const [route, status] = key.split("\u0000");
      lines.push(`gateway_http_requests_total{route="${escapeLabel(route ?? "")}",status="${status}"} ${value}`);
    }
    lines.push(
      "# HELP gateway_http_request_duration_seconds Time from request received to response sent.",
      "# TYPE gateway_http_request_duration_seconds histogram",
    );
    for (const [route, latency] of this.#latency) {
      const label = escapeLabel(route);
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((bound, i) => {
        cumulative += latency.counts[i] ?? 0;
        lines.push(`gateway_http_request_duration_seconds_bucket{route="${label}",le="${bound}"} ${cumulative}`);
      });
      lines.push(
        `gateway_http_request_duration_seconds_bucket{route="${label}",le="+Inf"} ${latency.count}`,
        `gateway_http_request_duration_seconds_sum{route="${label}"} ${latency.sum}`,
        `gateway_http_request_duration_seconds_count{route="${label}"} ${latency.count}`,
      );
    }
    lines.push(
      "# HELP gateway_nats_connected 1 while the NATS connection is up.",
      "# TYPE gateway_nats_connected gauge",
      `gateway_nats_connected ${state.natsConnected ? 1 : 0}`,
      "# HELP gateway_draining 1 while the gateway drains before exit.",
      "# TYPE gateway_draining gauge",
      `gateway_draining ${state.draining ? 1 : 0}`,
      "# HELP gateway_nats_reconnects_total NATS reconnections since start.",
      "# TYPE gateway_nats_reconnects_total counter",
      `gateway_nats_reconnects_total ${state.reconnects}`,
    );
    return `${lines.join("\n")}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
