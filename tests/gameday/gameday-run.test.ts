import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTarget, type Target } from "../../harness/config/index.ts";
import { ControlClient } from "../../harness/control/index.ts";
import { GameDayJournal } from "../../harness/record/index.ts";
import { readStreamPlacement } from "../../harness/safety/index.ts";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { gauntlet, gauntletUp, REPO_ROOT, type UpReady } from "../support/cli.ts";

const BIN = join(REPO_ROOT, "bin", "gauntlet.mjs");
const hasScript = spawnSync("script", ["--version"]).status === 0;

/** Each test runs the CLI (a bootstrap each time) against a real stack, for up to about 40 s of game day on an idle machine. */
const GAME_DAY_TEST_MS = 240_000;

describe("gauntlet gameday on a local stack (shared by every test here)", () => {
  let up: ChildProcess;
  let ready: UpReady;
  let target: Target;
  let control: ControlClient;
  let scratch: string;
  let runsDir: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "gauntlet-gameday-test-"));
    runsDir = join(scratch, "runs");
    ({ child: up, ready } = await gauntletUp());
    target = await loadTarget(ready.target);
    control = new ControlClient(target.control?.url ?? "", target.control?.token ?? "");
  }, 120_000);

  afterAll(async () => {
    if (ready) await gauntlet(["down", "--stack", ready.id]);
    up?.kill("SIGKILL");
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** What a game day could change: which nodes and replicas run, and the EVENTS stream's last sequence. */
  async function systemState() {
    const description = await control.describe();
    const nc = await connect(natsConnectionOptions(target.nats, { name: "gameday-test" }));
    try {
      const info = await (await jetstreamManager(nc)).streams.info("EVENTS");
      return {
        nodes: description.nodes.map((node) => `${node.name}:${node.running}`),
        replicas: description.services.map((replica) => `${replica.name}:${replica.running}`),
        lastSeq: info.state.last_seq,
      };
    } finally {
      await nc.close();
    }
  }

  const allRunning = async () => {
    const description = await control.describe();
    return [...description.nodes, ...description.services].every((thing) => thing.running);
  };

  /** A game day written for the test, in the scratch dir. */
  function gameDayFile(name: string, yaml: string): string {
    const file = join(scratch, `${name}.yaml`);
    writeFileSync(file, yaml);
    return file;
  }

  const runDirOf = (stdout: string) => /run record (\S+) \(journal/.exec(stdout)?.[1] ?? "";

  function journalOf(stdout: string): GameDayJournal {
    const dir = runDirOf(stdout);
    expect(existsSync(join(dir, "index.html"))).toBe(true);
    return GameDayJournal.parse(JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")));
  }

  const run = (file: string, ...extra: string[]) =>
    gauntlet(["gameday", "run", file, "--target", ready.target, "--runs-dir", runsDir, "--yes", ...extra], { timeoutMs: 240_000 });

  it(
    "plan resolves the stream leader, reads every probe, and changes nothing",
    async () => {
      const before = await systemState();
      const plan = await gauntlet(["gameday", "plan", "gameday/lose-a-nats-node.yaml", "--target", ready.target]);
      expect(plan.stderr).toBe("");
      expect(plan.code).toBe(0);
      expect(plan.stdout).toMatch(/kill-node nats-\d \(stream-leader:EVENTS\) — for 20 s, then healed\n\s+blast radius: allowed/);
      expect(plan.stdout).toContain("✔ holds now  EVENTS has a leader");
      expect(plan.stdout).toContain("Nothing was changed.");
      expect(await systemState()).toEqual(before);
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "lose-a-nats-node holds: the EVENTS leader is killed under gateway load and healed, no acknowledged event lost",
    async () => {
      const result = await run("gameday/lose-a-nats-node.yaml", "--duration-scale", "0.4");
      expect(result.stdout).toContain("HELD");
      expect(result.code).toBe(0);
      const journal = journalOf(result.stdout);
      expect(journal.verdict).toBe("held");
      const fault = journal.events.find((event) => event.type === "fault");
      expect(fault).toMatchObject({ fault: "kill-node", target: { node: expect.stringMatching(/^nats-\d$/) } });
      expect(journal.load[0]?.seconds.reduce((sum, second) => sum + second.requests, 0)).toBeGreaterThan(50);
      const acked = journal.probes.find((probe) => probe.name === "no acknowledged event lost")?.readings.at(-1);
      expect(acked).toMatchObject({ phase: "after", ok: true });
      expect(await allRunning()).toBe(true);
      const page = readFileSync(join(runDirOf(result.stdout), "index.html"), "utf8");
      expect(page).toContain("HYPOTHESIS HELD (exit 0)");
      expect(page).toMatch(/<rect [^>]*opacity="0.16"><title>kill-node nats-\d<\/title>/);
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "redeploy-services-under-load holds (two services here: every replica stopped and started, one at a time)",
    async () => {
      const short = readFileSync("gameday/redeploy-services-under-load.yaml", "utf8").replace(
        'service: "*"\n',
        'service: "event-bus,state-manager"\n',
      );
      const result = await run(gameDayFile("redeploy-two", short), "--duration-scale", "0.4");
      expect(result.stdout).toContain("HELD");
      expect(result.code).toBe(0);
      const fault = journalOf(result.stdout).events.find((event) => event.type === "fault");
      expect(fault).toMatchObject({ fault: "redeploy-services", target: { services: ["state-manager", "event-bus"], replicas: 4 } });
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "catches a deviation (a tolerance that cannot hold while a replica is down), heals it and runs the rollbacks",
    async () => {
      const marker = join(scratch, "rolled-back");
      const file = gameDayFile(
        "deviation",
        `title: every event-bus replica, always
steady_state:
  period: 500ms
  probes:
    - name: two event-bus instances
      srv: { service: event-bus, min_instances: 2 }
      tolerate_for: 0s
      during: true
method:
  - fault: kill-service-replica
    service: event-bus
    duration: 3s
rollbacks:
  - probe:
      process: { command: "touch ${marker}" }
`,
      );
      const result = await run(file);
      expect(result.stdout).toContain("DEVIATED");
      expect(result.code).toBe(1);
      const journal = journalOf(result.stdout);
      expect(journal.events).toContainEqual(
        expect.objectContaining({ type: "deviation", probe: "two event-bus instances", phase: "during" }),
      );
      expect(journal.events).toContainEqual(expect.objectContaining({ type: "rollback", outcome: "ok" }));
      expect(existsSync(marker)).toBe(true);
      await waitUntil(async () => ((await allRunning()) ? true : undefined), { timeoutMs: 20_000, what: "every replica running again" });

      const dir = runDirOf(result.stdout);
      rmSync(join(dir, "index.html"));
      const replay = await gauntlet(["gameday", "replay", basename(dir), "--runs-dir", runsDir]);
      expect(replay.stdout).toMatch(/DEVIATION two event-bus instances \(during\): event-bus: 1 < 2/);
      expect(replay.stdout).toContain("DEVIATED (exit 1)");
      expect(replay.code).toBe(0);
      expect(readFileSync(join(dir, "index.html"), "utf8")).toContain("DEVIATED (exit 1)");
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "a gateway_slo that cannot hold (p99 under 0.001 ms) deviates while the load engine runs the scenario",
    async () => {
      const file = gameDayFile(
        "slo-too-tight",
        `title: impossible latency
steady_state:
  period: 500ms
  probes:
    - name: p99 under a microsecond
      gateway_slo: { load: events, window: 2s, max_p99: 0.001ms }
method:
  - load: { start: events, scenario: gateway-events, rate: 10 }
  - pause: 4s
  - load: { stop: events }
`,
      );
      const result = await run(file);
      expect(result.stdout).toContain("DEVIATED");
      expect(result.code).toBe(1);
      const journal = journalOf(result.stdout);
      expect(journal.events).toContainEqual(
        expect.objectContaining({
          type: "deviation",
          probe: "p99 under a microsecond",
          phase: "during",
          detail: expect.stringMatching(/^p99 [\d.]+ ms > 0\.001 ms \(\d+ requests in s \d+–\d+ of the load/),
        }),
      );
      expect(journal.load[0]).toMatchObject({ name: "events", scenario: "gateway-events" });
      expect(journal.load[0]?.seconds.reduce((sum, second) => sum + second.requests, 0)).toBeGreaterThan(10);
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "a gateway killed under the load breaks its error-rate tolerance: caught from the engine's per-second failures, healed",
    async () => {
      const file = gameDayFile(
        "gateway-killed",
        `title: one gateway down
steady_state:
  period: 500ms
  probes:
    - name: errors under 1% over 2 s
      gateway_slo: { load: events, window: 2s, max_error_rate: 0.01 }
method:
  - load: { start: events, scenario: gateway-events, rate: 20 }
  - pause: 1s
  - fault: kill-gateway-replica
    duration: 3s
  - pause: 1s
  - load: { stop: events }
`,
      );
      const result = await run(file);
      expect(result.stdout).toContain("DEVIATED");
      expect(result.code).toBe(1);
      const journal = journalOf(result.stdout);
      expect(journal.events).toContainEqual(
        expect.objectContaining({
          type: "deviation",
          probe: "errors under 1% over 2 s",
          detail: expect.stringMatching(/^error rate [\d.]+% > 1\.0% \(\d+ requests in s \d+–\d+ of the load/),
        }),
      );
      expect(journal.load[0]?.seconds.reduce((sum, second) => sum + second.errors, 0)).toBeGreaterThan(0);
      await waitUntil(async () => ((await allRunning()) ? true : undefined), { timeoutMs: 20_000, what: "both gateways running again" });
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "a stop condition aborts at once (exit 3): the fault is healed and the rollbacks run",
    async () => {
      const flag = join(scratch, "stop-now");
      const marker = join(scratch, "rolled-back-after-abort");
      const file = gameDayFile(
        "stop-condition",
        `title: stop when the flag appears
steady_state:
  period: 500ms
  probes:
    - name: cluster formed
      doctor: { check: formed }
      during: false
      tolerate_for: 30s
method:
  - fault: kill-node
    node: random
  - probe:
      process: { command: "touch ${flag}" }
  - pause: 60s
rollbacks:
  - probe:
      process: { command: "touch ${marker}" }
stop_conditions:
  - probe:
      name: no stop flag
      process: { command: "test ! -e ${flag}" }
`,
      );
      const result = await run(file);
      expect(result.stdout).toContain("ABORTED");
      expect(result.code).toBe(3);
      const journal = journalOf(result.stdout);
      expect(journal.events).toContainEqual(expect.objectContaining({ type: "abort", by: "stop-condition" }));
      expect(journal.durationS).toBeLessThan(60);
      expect(existsSync(marker)).toBe(true);
      expect(await allRunning()).toBe(true);
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "the blast radius refuses a second EVENTS follower while the first is down (plan says so first); the run heals and exits 2",
    async () => {
      // The test before heals a node: wait until EVENTS is placed on three running peers again.
      const peers = await waitUntil(
        async () => {
          const placement = await readStreamPlacement(target.nats, await control.nodes());
          const events = placement.find((stream) => stream.stream === "EVENTS");
          return events?.peers.length === 3 && events.offline.length === 0 ? events.peers : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "EVENTS placed on three peers" },
      );
      const [, first, second] = peers;
      const file = gameDayFile(
        "too-wide",
        `title: two EVENTS peers at once
steady_state:
  probes:
    - doctor: { check: formed }
      during: false
      tolerate_for: 30s
method:
  - fault: kill-node
    node: ${first}
  - fault: kill-node
    node: ${second}
`,
      );
      const refusal = new RegExp(
        `blast radius: taking ${second} down leaves stream EVENTS \\(R3 on [^)]*\\) with 1 of 3 replicas running; it needs 2`,
      );
      const plan = await gauntlet(["gameday", "plan", file, "--target", ready.target]);
      expect(plan.stdout).toMatch(refusal);
      expect(plan.code).toBe(2);
      const result = await run(file);
      expect(result.stdout).toMatch(refusal);
      expect(result.stdout).toContain("COULD NOT RUN");
      expect(result.code).toBe(2);
      expect(journalOf(result.stdout).events.filter((event) => event.type === "fault")).toHaveLength(1);
      expect(await allRunning()).toBe(true);
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "plan names the service replicas a selector hits, and the blast radius refuses taking every replica of a service unless the file allows it",
    async () => {
      const text = `title: every event-bus replica at once
steady_state:
  probes:
    - srv: { service: event-bus, min_instances: 1 }
      during: false
method:
  - fault: kill-service-replica
    service: event-bus
    count: 2
    duration: 5s
`;
      const refused = await gauntlet(["gameday", "plan", gameDayFile("all-replicas", text), "--target", ready.target]);
      expect(refused.stdout).toMatch(/event-bus: event-bus\S+, event-bus\S+ — 2 of 2 replicas \(2 answering now\)/);
      expect(refused.stdout).toMatch(
        /blast radius: stopping event-bus\S+ makes 2 of event-bus's 2 replicas down \(at most 1\); refused before acting \(blast_radius\.allow_service_outage: true to permit\)/,
      );
      expect(refused.code).toBe(2);
      const allowed = await gauntlet([
        "gameday",
        "plan",
        gameDayFile("all-replicas-allowed", `${text.replace("count: 2", "percent: 100")}blast_radius: { allow_service_outage: true }\n`),
        "--target",
        ready.target,
      ]);
      expect(allowed.stdout).toMatch(/— 2 of 2 replicas \(2 answering now\)\n\s+blast radius: allowed/);
      expect(allowed.code).toBe(0);
    },
    GAME_DAY_TEST_MS,
  );

  it.skipIf(!hasScript)(
    "on a terminal, n adds a note and a aborts: healed, exit 3, both in the journal",
    async () => {
      const file = gameDayFile(
        "operator",
        `title: operator at the keys
steady_state:
  probes:
    - doctor: { check: formed }
      during: false
      tolerate_for: 30s
method:
  - fault: kill-node
    node: random
    duration: 60s
`,
      );
      const command = [process.execPath, BIN, "gameday", "run", file, "--target", ready.target, "--runs-dir", runsDir, "--yes"].join(" ");
      const terminal = spawn("script", ["-qfec", command, "/dev/null"], { cwd: REPO_ROOT });
      let screen = "";
      terminal.stdout?.on("data", (chunk) => {
        screen += chunk;
      });
      const exited = new Promise<number | null>((resolve) => terminal.once("exit", resolve));
      await waitUntil(async () => (/fault kill-node/.test(screen) ? true : undefined), {
        timeoutMs: 150_000,
        what: `the fault (the terminal showed: ${stripVTControlCharacters(screen)})`,
      });
      terminal.stdin?.write("n");
      await waitUntil(async () => (/note: /.test(screen) ? true : undefined), { timeoutMs: 10_000, what: "the note prompt" });
      terminal.stdin?.write("leader moved, dashboards calm\r");
      await waitUntil(async () => (/note: leader moved/.test(stripVTControlCharacters(screen)) ? true : undefined), {
        timeoutMs: 10_000,
        what: "the note in the timeline",
      });
      terminal.stdin?.write("a");
      expect(await exited).toBe(3);
      const journal = journalOf(stripVTControlCharacters(screen).replaceAll("\r", ""));
      expect(journal.events).toContainEqual(expect.objectContaining({ type: "note", text: "leader moved, dashboards calm" }));
      expect(journal.events).toContainEqual(expect.objectContaining({ type: "abort", by: "operator", reason: "operator pressed a" }));
      expect(journal.durationS).toBeLessThan(60);
      expect(await allRunning()).toBe(true);
    },
    GAME_DAY_TEST_MS,
  );

  it(
    "a harness SIGKILLed mid-fault leaves the stack healed: the control API's dead-man starts the node again",
    async () => {
      const file = gameDayFile(
        "killed",
        `title: killed mid-fault
steady_state:
  probes:
    - doctor: { check: formed }
      during: false
method:
  - fault: kill-node
    node: random
    duration: 4s
`,
      );
      const harness = spawn(process.execPath, [BIN, "gameday", "run", file, "--target", ready.target, "--runs-dir", runsDir, "--yes"], {
        cwd: REPO_ROOT,
        detached: true,
      });
      let stdout = "";
      harness.stdout?.on("data", (chunk) => {
        stdout += chunk;
      });
      const victim = await waitUntil(async () => /fault kill-node \{"node":"(nats-\d)"\}/.exec(stdout)?.[1], {
        timeoutMs: 150_000,
        what: `the fault (the harness printed: ${stdout})`,
      });
      process.kill(-(harness.pid as number), "SIGKILL");
      const running = async () => (await control.describe()).nodes.find((node) => node.name === victim)?.running;
      expect(await running()).toBe(false);
      await waitUntil(async () => ((await running()) ? true : undefined), {
        timeoutMs: 30_000,
        what: `${victim} started again by the dead-man`,
      });
    },
    GAME_DAY_TEST_MS,
  );
});
