import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { GatewayError } from "./errors.ts";
import { buildGatewayApp } from "./gateway-app.ts";
import type { GatewayManifest } from "./gateway-manifest.ts";
import { GatewayMetrics } from "./metrics.ts";
import { ConnectionWatch, connectGateway, type GatewayCredentials, type NatsTlsFiles } from "./nats-connection.ts";
import { RouteTable } from "./route-table.ts";

export interface GatewayOptions {
  manifest: GatewayManifest;
  servers: string | string[];
  credentials?: GatewayCredentials;
  /** TLS for the NATS connection. */
  natsTls?: NatsTlsFiles;
  /** Serve HTTPS with this certificate and key (PEM files) instead of HTTP. */
  https?: { readonly cert: string; readonly key: string };
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Aborting stops the gateway as `stop()` does. */
  signal?: AbortSignal;
  /** How long `POST /v1/events/{stream}` waits for JetStream's ack, through a stream leader's election. Default 10000. */
  eventsTimeoutMs?: number;
  /** On stop, how long `/readyz` answers 503 before the listener closes. Default 0. */
  drainDelayMs?: number;
}

export interface StartedGateway {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, finishes in-flight requests, drains NATS. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<StartedGateway> {
  options.signal?.throwIfAborted();
  const routes = RouteTable.fromManifest(options.manifest);
  const servers = Array.isArray(options.servers) ? options.servers : [options.servers];
  if (servers.length === 0) throw GatewayError.invalidOption("servers", "at least one NATS server URL is required");
  const https = options.https ? readHttpsFiles(options.https) : undefined;
  const nc = await connectGateway(servers, options.credentials, options.natsTls);
  const watch = new ConnectionWatch(nc);
  const state = { draining: false };
  const app = buildGatewayApp({
    nc,
    routes,
    watch,
    state,
    metrics: new GatewayMetrics(),
    eventsTimeoutMs: options.eventsTimeoutMs ?? 10_000,
    ...(https ? { https } : {}),
  });
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  } catch (error) {
    await nc.close();
    throw GatewayError.invalidOption(
      "port",
      `cannot listen on ${options.host ?? "127.0.0.1"}:${options.port ?? 0}: ${(error as Error).message}`,
    );
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      state.draining = true;
      if (options.drainDelayMs) await delay(options.drainDelayMs);
      await app.close();
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
      await watch.done;
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const scheme = https ? "https" : "http";
  return { url: `${scheme}://${host}:${address.port}`, port: address.port, stop, [Symbol.asyncDispose]: stop };
}

function readHttpsFiles(files: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const read = (option: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw GatewayError.invalidOption(option, `cannot read ${file}: ${(error as Error).message}`);
    }
  };
  return { cert: read("https.cert", files.cert), key: read("https.key", files.key) };
}
