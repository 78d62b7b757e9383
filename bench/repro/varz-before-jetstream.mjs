// Minimal reproduction, no Gauntlet: nats-server's /varz says "no JetStream" for the server's whole
// life when the first /varz request came after the monitoring port opened and before JetStream
// started. Starts RUNS standalone JetStream servers one after the other, polls /varz every
// INTERVAL ms from the spawn on (as a readiness probe does), then asks /varz and /jsz again once
// the server runs: /jsz always shows JetStream, /varz does not when its first answer came too early.
// The cause (server/monitor.go, HandleVarz): the varz answer is cached in s.varz on the first
// request and its JetStream config is set only when that cached answer is created.
// Run: node bench/repro/varz-before-jetstream.mjs [runs=20] [interval-ms=1]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const runs = Number(process.argv[2] ?? 20);
const intervalMs = Number(process.argv[3] ?? 1);
const bin =
  process.env.NATS_SERVER_BIN ?? process.env.GAUNTLET_NATS_SERVER ?? join(homedir(), ".cache/gauntlet/nats-server-v2.15.2/nats-server");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });
}

async function getJson(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return response.json();
}

async function once(index) {
  const dir = mkdtempSync(join(tmpdir(), "varz-before-jetstream-"));
  const client = await freePort();
  const monitoring = await freePort();
  const config = { listen: `127.0.0.1:${client}`, http: `127.0.0.1:${monitoring}`, jetstream: { store_dir: join(dir, "js") } };
  writeFileSync(join(dir, "nats-server.json"), JSON.stringify(config));
  const server = spawn(bin, ["-c", join(dir, "nats-server.json")], { stdio: "ignore" });
  const exited = new Promise((resolve) => server.once("exit", resolve));
  try {
    let first;
    for (let attempt = 0; attempt < 5_000 && first === undefined; attempt++) {
      first = await getJson(`http://127.0.0.1:${monitoring}/varz`).catch(() => undefined);
      if (first === undefined) await sleep(intervalMs);
    }
    await sleep(500);
    const varz = await getJson(`http://127.0.0.1:${monitoring}/varz`);
    const jsz = await getJson(`http://127.0.0.1:${monitoring}/jsz`);
    const stale = varz.jetstream?.config === undefined && !jsz.disabled;
    console.log(
      `run ${index}: first /varz with JetStream: ${first?.jetstream?.config !== undefined}; /varz 500 ms later: ${!stale}; /jsz: ${jsz.disabled ? "disabled" : "enabled"}`,
    );
    return stale;
  } finally {
    server.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

let stale = 0;
for (let index = 1; index <= runs; index++) if (await once(index)) stale++;
console.log(`${stale}/${runs} servers running JetStream never showed it in /varz (first /varz polled every ${intervalMs} ms)`);
