// The 3-node formation flake ("JetStream: disabled on nats-3"): starts and stops local 3-node
// clusters through the harness, several at once, while busy processes load every core, and counts
// (a) clusters that never formed, by reason (the error carries the failing node's log tail), and
// (b) nodes whose own /varz never shows the JetStream config although /jsz says it runs.
// (b) is nats-server's /varz cache: the first /varz request builds it, and its JetStream config
// is filled in only then, so a /varz answered before JetStream was enabled lacks it for the
// process's whole life; the window is ~0.1 ms on an idle machine, longer when the server is
// descheduled right after its monitoring port opens. Bounded: ROUNDS rounds of PARALLEL clusters,
// BURNERS busy processes (each ends itself after 30 min, and is killed at the end).
// Run: node bin/gauntlet.mjs exec node bench/repro/cluster-formation.ts [rounds=10] [parallel=3] [burners=2]
import { spawn } from "node:child_process";
import { getMonitoring } from "../../harness/probes/index.ts";
import { LocalCluster } from "../../harness/providers/local/index.ts";

const rounds = Number(process.argv[2] ?? 10);
const parallel = Number(process.argv[3] ?? 3);
const burners = Number(process.argv[4] ?? 2);
const BURN_LIMIT_MS = 30 * 60_000;

const busyProcess = () =>
  spawn(process.execPath, ["-e", `const end = Date.now() + ${BURN_LIMIT_MS}; while (Date.now() < end) Math.sqrt(Math.random());`], {
    stdio: "ignore",
  });

interface Outcome {
  readonly formed: boolean;
  readonly reason?: string;
  readonly staleVarz: number;
}

async function once(): Promise<Outcome> {
  try {
    await using cluster = await new LocalCluster().withNodes(3).start();
    let staleVarz = 0;
    for (const node of cluster.nodes) {
      const varz = await getMonitoring<{ jetstream?: { config?: unknown } }>(node.monitoringUrl, "/varz");
      if (varz.jetstream?.config === undefined) staleVarz++;
    }
    return { formed: true, staleVarz };
  } catch (error) {
    return { formed: false, reason: (error as Error).message, staleVarz: 0 };
  }
}

const busy = Array.from({ length: burners }, busyProcess);
let interrupted = false;
const interrupt = () => {
  interrupted = true;
  for (const child of busy) child.kill();
};
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);
const reasons = new Map<string, number>();
let formed = 0;
let failed = 0;
let staleVarz = 0;
try {
  for (let round = 1; round <= rounds && !interrupted; round++) {
    const outcomes = await Promise.all(Array.from({ length: parallel }, once));
    for (const outcome of outcomes) {
      staleVarz += outcome.staleVarz;
      if (outcome.formed) {
        formed++;
        continue;
      }
      failed++;
      console.log(`--- round ${round}: not formed ---\n${outcome.reason}`);
      const headline = (outcome.reason ?? "").split("\n")[0]?.replace(/\d+ ms/g, "N ms") ?? "";
      reasons.set(headline, (reasons.get(headline) ?? 0) + 1);
    }
    console.log(`round ${round}/${rounds}: formed ${formed}, not formed ${failed}, nodes with JetStream missing from /varz ${staleVarz}`);
  }
} finally {
  for (const child of busy) child.kill();
}
console.log(`\n${formed + failed} clusters (${parallel} at a time, ${burners} busy processes): ${failed} not formed`);
for (const [reason, count] of reasons) console.log(`  ${count}× ${reason}`);
console.log(`${staleVarz} of ${formed * 3} nodes of formed clusters: /varz without JetStream config while it runs`);
