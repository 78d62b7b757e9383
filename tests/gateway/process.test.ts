import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SupervisedProcess } from "../../harness/process/index.ts";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { connectAs, MANIFEST_FILE, startNats } from "./support/nats.ts";
import { startResponders } from "./support/responders.ts";

const GATEWAY_BIN = fileURLToPath(new URL("../../gateway/bin/gateway.ts", import.meta.url));

let cluster: StartedLocalCluster;
let services: NatsConnection;
let lengthyStarted: Promise<void>;
const started: SupervisedProcess[] = [];

beforeAll(async () => {
  cluster = await startNats();
  services = await connectAs(cluster.clientUrls[0] as string);
  lengthyStarted = startResponders(services).lengthyStarted;
  await services.flush();
});

afterAll(async () => {
  await Promise.all(started.map((child) => child.kill()));
  await services?.close();
  await cluster?.stop();
});

function spawnGateway(args: string[]): SupervisedProcess {
  const child = SupervisedProcess.spawn({ label: "gateway", command: process.execPath, args: [GATEWAY_BIN, ...args] });
  started.push(child);
  return child;
}

/** The first stdout line: the JSON the gateway prints once it listens. */
function listening(child: SupervisedProcess): Promise<{ url: string; pid: number }> {
  return child.untilReady(
    new Promise((resolve) => {
      let buffered = "";
      child.child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const newline = buffered.indexOf("\n");
        if (newline >= 0) resolve(JSON.parse(buffered.slice(0, newline)));
      });
    }),
  );
}

describe("gateway process", () => {
  it("prints its URL as one JSON line, and on SIGTERM finishes the in-flight request, then exits 0", async () => {
    const child = spawnGateway(["--manifest", MANIFEST_FILE, "--servers", cluster.clientUrls.join(","), "--port", "0"]);
    const { url, pid } = await listening(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(pid).toBe(child.pid);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const inFlight = fetch(`${url}/v1/orders/lengthy`, { method: "POST", body: JSON.stringify({ step: "drain" }) });
    await lengthyStarted;
    process.kill(pid, "SIGTERM");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { body: unknown }).body).toEqual({ step: "drain" });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("refuses to start without a manifest, saying which flag is missing", async () => {
    const child = spawnGateway(["--servers", cluster.clientUrls[0] as string]);
    const exit = await child.exited;
    expect(exit.code).toBe(2);
    expect(child.outputTail).toBe("gateway option --manifest: required: path of the service manifest (YAML)");
  });

  it("fails with the server address when NATS is unreachable", async () => {
    const child = spawnGateway(["--manifest", MANIFEST_FILE, "--servers", "nats://127.0.0.1:1"]);
    const exit = await child.exited;
    expect(exit.code).toBe(2);
    expect(child.outputTail).toMatch(/^gateway: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /);
  });
});
