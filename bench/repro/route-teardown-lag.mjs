// Minimal reproduction, no Gauntlet: five bare nats-server processes, each in a network namespace
// of its own (veth pairs on a bridge, 10.214.0.0/24, nothing routed anywhere else), an R3 file
// stream taking ~300 acknowledged publishes/s from two clients (one connected to the stream
// leader's server, one to another server, as Gauntlet's publishers are spread over the nodes),
// the stream leader isolated by iptables DROP for 10 s, then healed; every replica watched for
// 60 s after the heal.
// `fast` gives the routes ping_interval 1s / ping_max 3 (the routes are declared stale and torn
// down ~3 s into the cut, as any partition longer than ping_interval × ping_max would do with the
// 2-minute default); `default` keeps nats-server's route pings (the routes ride out the cut unless
// the traffic toward the cut-off leader hits the 10 s route write deadline). A former leader left
// behind logs "Expected first catchup entry to be a snapshot and peerstate, will retry" over and over.
// Writes every node's /jsz (streams, config, raft) and /routez before the cut, during it, after
// the heal and at the end, plus the server logs, to OUT (default a new /tmp dir).
// Run as root (iproute2, iptables): node bench/repro/route-teardown-lag.mjs [fast|default] [runs]
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const mode = process.argv[2] ?? "fast";
const runs = Number(process.argv[3] ?? 3);
if (mode !== "fast" && mode !== "default") throw new Error(`mode must be fast or default, got ${mode}`);
const bin =
  process.env.NATS_SERVER_BIN ??
  process.env.GAUNTLET_NATS_SERVER ??
  join(
    homedir(),
    ".cache/gauntlet",
    execFileSync("ls", [join(homedir(), ".cache/gauntlet")], { encoding: "utf8" })
      .split("\n")
      .filter((d) => d.startsWith("nats-server-"))
      .at(-1),
    "nats-server",
  );
const out = process.env.OUT ?? mkdtempSync("/tmp/route-teardown-lag-");
const NET = "10.214.0";
const P = `rtl${process.pid}`;
const nodes = [1, 2, 3, 4, 5];
const ns = (i) => `${P}-n${i}`;
const ipBatch = (args, lines) => execFileSync("ip", [...args, "-batch", "-"], { input: `${lines.join("\n")}\n` });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const servers = [];

if (execFileSync("ip", ["-4", "route"], { encoding: "utf8" }).includes(`${NET}.`)) throw new Error(`${NET}.0/24 is in use here`);

function cleanup() {
  for (const server of servers) server.kill("SIGKILL");
  try {
    ipBatch(["-force"], [`link del ${P}h`, `netns del ${P}-br`, ...nodes.map((i) => `netns del ${ns(i)}`)]);
  } catch {}
}
process.on("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

ipBatch(
  [],
  [
    `netns add ${P}-br`,
    ...nodes.map((i) => `netns add ${ns(i)}`),
    ...nodes.map((i) => `link add ${P}v${i} type veth peer name ${P}b${i}`),
    `link add ${P}h type veth peer name ${P}hb`,
    ...nodes.flatMap((i) => [`link set ${P}v${i} netns ${ns(i)}`, `link set ${P}b${i} netns ${P}-br`]),
    `link set ${P}hb netns ${P}-br`,
    `addr add ${NET}.254/24 dev ${P}h`,
    `link set ${P}h up`,
  ],
);
ipBatch(
  ["-n", `${P}-br`],
  [
    "link set lo up",
    "link add br0 type bridge",
    "link set br0 up",
    ...[...nodes.map((i) => `${P}b${i}`), `${P}hb`].flatMap((p) => [`link set ${p} master br0`, `link set ${p} up`]),
  ],
);
for (const i of nodes)
  ipBatch(["-n", ns(i)], ["link set lo up", `link set ${P}v${i} name eth0`, `addr add ${NET}.${i}/24 dev eth0`, "link set eth0 up"]);

const mon = (i, path) => fetch(`http://${NET}.${i}:8222${path}`, { signal: AbortSignal.timeout(2000) }).then((r) => r.json());
const snapshot = async (dir, phase) => {
  const all = await Promise.all(
    nodes.map(async (i) => ({
      node: `n${i}`,
      jsz: await mon(i, "/jsz?accounts=true&streams=true&config=true&raft=true").catch((e) => ({ error: e.message })),
      routez: await mon(i, "/routez").catch((e) => ({ error: e.message })),
    })),
  );
  writeFileSync(join(dir, `${phase}.json`), JSON.stringify({ at: new Date().toISOString(), nodes: all }));
};
const iptables = (i, rules) =>
  execFileSync("ip", ["netns", "exec", ns(i), "iptables-restore"], {
    input: ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ...rules, "COMMIT", ""].join("\n"),
  });

const results = [];
for (let run = 1; run <= runs; run++) {
  const dir = join(out, `${mode}-${run}`);
  mkdirSync(dir, { recursive: true });
  for (const i of nodes) {
    const store = join(dir, `n${i}-store`);
    const config = join(dir, `n${i}.conf`);
    const pings = mode === "fast" ? "ping_interval: 1s\n  ping_max: 3\n" : "";
    writeFileSync(
      config,
      `server_name: n${i}\nlisten: ${NET}.${i}:4222\nhttp: ${NET}.${i}:8222\njetstream { store_dir: "${store}" }\ncluster {\n  name: c\n  listen: ${NET}.${i}:6222\n  routes: [${nodes.map((j) => `nats://${NET}.${j}:6222`).join(", ")}]\n  ${pings}}\n`,
    );
    servers.push(spawn("ip", ["netns", "exec", ns(i), bin, "-c", config, "-l", join(dir, `n${i}.log`)], { stdio: "ignore" }));
  }
  for (let t = 0; t < 120; t++) {
    const leaders = await Promise.all(
      nodes.map((i) =>
        mon(i, "/jsz").then(
          (j) => `${j.meta_cluster?.leader}/${j.meta_cluster?.cluster_size}`,
          () => "down",
        ),
      ),
    );
    if (new Set(leaders).size === 1 && !leaders[0].startsWith("undefined") && leaders[0].endsWith("/5")) break;
    await sleep(500);
  }
  const nc = await connect({ servers: nodes.map((i) => `nats://${NET}.${i}:4222`), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "EVENTS", subjects: ["events.>"], num_replicas: 3 });
  const first = Number((await jsm.streams.info("EVENTS")).cluster.leader.slice(1));
  const pinned = (i) => connect({ servers: [`nats://${NET}.${i}:4222`], maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const clients = [await pinned(first), await pinned((first % 5) + 1)];
  const publishers = clients.map((client) => jetstream(client, { timeout: 2000 }));
  let acked = 0;
  let lastAcked = 0;
  let n = 0;
  const publisher = setInterval(() => {
    for (let k = 0; k < 3; k++) {
      const id = `m${++n}`;
      (publishers[n % 2] ?? publishers[0]).publish("events.x", id, { msgID: id }).then(
        (ack) => {
          acked += 1;
          lastAcked = Math.max(lastAcked, ack.seq);
        },
        () => {},
      );
    }
  }, 10);
  await sleep(10_000);
  const leader = (await jsm.streams.info("EVENTS")).cluster.leader;
  const l = Number(leader.slice(1));
  await snapshot(dir, "before");
  const others = nodes.filter((i) => i !== l);
  iptables(
    l,
    others.flatMap((i) => [`-A INPUT -s ${NET}.${i}/32 -j DROP`, `-A OUTPUT -d ${NET}.${i}/32 -j DROP`]),
  );
  for (const i of others) iptables(i, [`-A INPUT -s ${NET}.${l}/32 -j DROP`, `-A OUTPUT -d ${NET}.${l}/32 -j DROP`]);
  const cutAt = Date.now();
  await sleep(5_000);
  await snapshot(dir, "during");
  await sleep(Math.max(0, 10_000 - (Date.now() - cutAt)));
  for (const i of nodes) iptables(i, []);
  const healedAt = Date.now();
  await snapshot(dir, "after-heal");
  let convergedAfterS = null;
  let lagging = [];
  const lagTrace = [];
  while (Date.now() - healedAt < 60_000) {
    const info = await jsm.streams.info("EVENTS").catch(() => undefined);
    if (info?.cluster) {
      // Under 300 publishes/s a current follower is a few messages behind at any instant: not lag.
      lagging = (info.cluster.replicas ?? []).filter((r) => !r.current || (r.lag ?? 0) > 100).map((r) => `${r.name} lag ${r.lag ?? 0}`);
      if (lagging.length === 0 && convergedAfterS === null) convergedAfterS = (Date.now() - healedAt) / 1000;
      lagTrace.push(`${Math.round((Date.now() - healedAt) / 1000)}s: leader ${info.cluster.leader} ${lagging.join(", ") || "all current"}`);
    }
    await sleep(1_000);
  }
  clearInterval(publisher);
  await sleep(3_000);
  await snapshot(dir, "end");
  // Publishing stopped 3 s ago: every replica's own last sequence must be the same now.
  const lastSeqs = await Promise.all(
    nodes.map((i) =>
      mon(i, "/jsz?accounts=true&streams=true").then(
        (j) => j.account_details?.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === "EVENTS")?.state?.last_seq,
        () => undefined,
      ),
    ),
  );
  const highest = Math.max(...lastSeqs.filter((seq) => seq !== undefined));
  const behindAtEnd = nodes.filter((_, index) => lastSeqs[index] !== undefined && lastSeqs[index] < highest).map((i) => `n${i}`);
  const result = {
    run,
    mode,
    isolatedLeader: leader,
    acked,
    lastAcked,
    firstAllCurrentAfterHealS: convergedAfterS,
    behindAtEnd,
    lagAt60s: lagging,
    lastSeqPerServer: nodes.map((i, index) => `n${i}=${lastSeqs[index] ?? "-"}`).join(" "),
  };
  writeFileSync(join(dir, "result.json"), `${JSON.stringify({ ...result, lagTrace }, null, 2)}\n`);
  console.log(JSON.stringify(result));
  results.push(result);
  await Promise.all([nc, ...clients].map((client) => client.close()));
  for (const server of servers.splice(0)) server.kill("SIGTERM");
  await sleep(1_500);
  for (const i of nodes) rmSync(join(dir, `n${i}-store`), { recursive: true, force: true });
}
const behind = results.filter((r) => r.behindAtEnd.length > 0).length;
console.log(
  `${mode}: ${behind} of ${results.length} runs left a replica behind (60 s after the heal and 3 s after the last publish); evidence in ${out}`,
);
