#!/usr/bin/env node
// Runs one gateway as a process: `node gateway/bin/gateway.ts --manifest services/manifest.yaml
// --servers nats://127.0.0.1:4222[,…] [--port 0] [--host 127.0.0.1] [--drain-delay-ms N]`, its
// NATS user from GAUNTLET_NATS_USER and GAUNTLET_NATS_PASS (never argv: `ps` would show it).
// Prints `{"url":…,"pid":…}` on one stdout line once listening; SIGTERM/SIGINT drain in-flight
// requests and NATS, then exit 0.
import { parseArgs } from "node:util";
import { GauntletError } from "../../lib/errors/index.ts";
import { loadManifest } from "../../services/manifest/index.ts";
import { GatewayError } from "../errors.ts";
import type { GatewayCredentials } from "../nats-connection.ts";
import { startGateway } from "../start-gateway.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      manifest: { type: "string" },
      servers: { type: "string" },
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "tls-ca": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "https-cert": { type: "string" },
      "https-key": { type: "string" },
      "drain-delay-ms": { type: "string", default: "0" },
    },
    strict: true,
  });
  if (!values.manifest) throw GatewayError.invalidOption("--manifest", "required: path of the service manifest (YAML)");
  if (!values.servers) throw GatewayError.invalidOption("--servers", "required: comma-separated NATS URLs");
  const { GAUNTLET_NATS_USER: user, GAUNTLET_NATS_PASS: pass } = process.env;
  if ((user === undefined) !== (pass === undefined))
    throw GatewayError.invalidOption("GAUNTLET_NATS_USER/GAUNTLET_NATS_PASS", "set both or neither");
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined))
    throw GatewayError.invalidOption("--tls-cert/--tls-key", "give both or neither");
  const httpsCert = values["https-cert"];
  const httpsKey = values["https-key"];
  if ((httpsCert === undefined) !== (httpsKey === undefined))
    throw GatewayError.invalidOption("--https-cert/--https-key", "give both or neither");
  const natsTls = { ca: values["tls-ca"], cert: values["tls-cert"], key: values["tls-key"] };
  const credentials: GatewayCredentials | undefined = user !== undefined ? { user, pass: pass ?? "" } : undefined;
  const gateway = await startGateway({
    manifest: await loadManifest(values.manifest),
    servers: values.servers.split(",").map((server) => server.trim()),
    port: wholeNumber("--port", values.port),
    host: values.host,
    drainDelayMs: wholeNumber("--drain-delay-ms", values["drain-delay-ms"]),
    ...(credentials ? { credentials } : {}),
    ...(natsTls.ca || natsTls.cert ? { natsTls } : {}),
    ...(httpsCert && httpsKey ? { https: { cert: httpsCert, key: httpsKey } } : {}),
  });
  const shutdown = () => {
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`gateway: drain failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  process.stdout.write(`${JSON.stringify({ url: gateway.url, pid: process.pid })}\n`);
}

function wholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw GatewayError.invalidOption(flag, `expected a whole number ≥ 0, got "${text}"`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof GauntletError ? error.exitCode : 1);
});
