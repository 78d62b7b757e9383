import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { loadTarget } from "../../harness/config/index.ts";
import { AgentConnection, agentFleet, LoadAgent, LocalAgents } from "../../harness/load/agents/index.ts";
import { readScenarioSource } from "../../harness/load/agents/scenario-source.ts";
import {
  formatSummary,
  type LoadResult,
  mergeEncoded,
  normalizeScenarios,
  runLoad,
  toSuiteResult,
  trendStat,
} from "../../harness/load/index.ts";
import { plan } from "../../harness/load/plan.ts";
import { LoadSection, RunRecord } from "../../harness/record/index.ts";
import { toLoadSection } from "../../harness/run/load-section.ts";
import { type RunContext, runLoadSteps } from "../../harness/run/run-steps.ts";
import { gauntlet, httpServer, scratchDir, type TestServer } from "./support.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const repoRoot = new URL("../..", import.meta.url).pathname;

/** True when nothing listens on the agent's port any more. */
function portClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connectTcp(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("load agents as real processes on loopback", () => {
  let echo: TestServer;
  let requests = 0;
  let onRequest: () => void = () => undefined;

  beforeAll(async () => {
    echo = await httpServer((_req, res) => {
      requests += 1;
      onRequest();
      res.end("ok");
    });
  });

  afterAll(async () => {
    await echo?.close();
  });

  it("merges four agents exactly: counts are their sum, the p99 is the merged histograms' p99, each agent's share is named", async () => {
    const agents = await new LocalAgents(4).withWorkers(1).start();
    try {
      const result = await runLoad({
        scenario: fixture("agents-tagged.ts"),
        target: {},
        env: { URL: echo.url },
        rate: 40,
        duration: 2000,
        progress: false,
        generators: agentFleet(agents.endpoints),
      });
      expect(result.exitCode).toBe(0);
      expect(result.workers).toBe(4);
      const reports = result.agents ?? [];
      // Whether an agent kept up depends on this machine's load, so drops are allowed; being lost is not.
      expect(reports.map((a) => [a.name, a.workers.length, a.share, a.scheduled, a.lost])).toEqual(
        [1, 2, 3, 4].map((i) => [`local-${i}`, 1, 0.25, 20, null]),
      );
      // Every scheduled arrival is accounted for once, and the merged counts are the agents' sum.
      const started = reports.reduce((sum, a) => sum + a.started, 0);
      const dropped = reports.reduce((sum, a) => sum + a.dropped, 0);
      expect(started + dropped).toBe(80);
      expect(result.series.reduce((sum, s) => sum + s.started, 0)).toBe(started);
      expect(result.metrics.http_reqs?.count).toBe(reports.reduce((sum, a) => sum + a.requests, 0));
      // Each worker's requests (tagged with its index) came over the wire as its own histogram; merging them
      // gives the run's trend exactly: same count, same p99.
      const perWorker = result.histograms.filter((h) => h.metric === "http_req_duration");
      expect(perWorker.map((h) => h.tags.worker).sort()).toEqual(["0", "1", "2", "3"]);
      expect(perWorker.map((h) => h.count)).toEqual(reports.map((a) => a.requests));
      const merged = mergeEncoded(perWorker.map((h) => h.encoded));
      expect(merged.totalCount).toBe(result.metrics.http_req_duration?.trend?.count);
      expect(trendStat(merged, "p(99)")).toBe(result.metrics.http_req_duration?.trend?.p99);
      for (const a of reports) expect(a.usage.length).toBeGreaterThan(0);
      // The run record's load section (and so the HTML report) carries each agent's part.
      const section = LoadSection.parse(toLoadSection([{ name: "spread", result, offsetS: 0 }]));
      expect(section.agents?.map((a) => [a.scenario, a.name, a.share, a.started])).toEqual(
        reports.map((a) => ["spread", a.name, 0.25, a.started]),
      );
    } finally {
      await agents.stop();
    }
    expect(agents.processes.every((p) => !p.running)).toBe(true);
    for (const endpoint of agents.endpoints) expect(await portClosed(endpoint.url)).toBe(true);
  });

  it("names every agent that could not keep its share, with the iterations it dropped", async () => {
    await using slow = await httpServer((_req, res) => setTimeout(() => res.end("ok"), 600));
    await using agents = await new LocalAgents(4).withWorkers(1).start();
    const result = await runLoad({
      scenario: fixture("agents-short-of-vus.ts"),
      target: {},
      env: { URL: slow.url },
      progress: false,
      generators: agentFleet(agents.endpoints),
    });
    // Arrivals 500 ms apart on each agent, each held 600 ms: an agent with one VU drops every other one.
    const [, ...oneVu] = result.agents ?? [];
    expect(oneVu.map((a) => [a.vus, a.scheduled])).toEqual([
      [1, 6],
      [1, 6],
      [1, 6],
    ]);
    for (const agent of oneVu) {
      expect(agent.dropped).toBeGreaterThan(0);
      expect(agent.behind).toBe(`dropped ${agent.dropped} of its 6 arrivals (${((agent.dropped / 6) * 100).toFixed(1)}%)`);
      expect(formatSummary(result)).toContain(`✗ agent ${agent.name} did not keep its share: ${agent.behind}`);
    }
  });

  it("stops every agent when an abortOnFail threshold fails on the merged metrics", async () => {
    await using failing = await httpServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    await using agents = await new LocalAgents(2).withWorkers(1).start();
    const result = await runLoad({
      scenario: fixture("abort-on-fail.ts"),
      target: {},
      env: { URL: failing.url },
      progress: false,
      generators: agentFleet(agents.endpoints),
    });
    expect(result.aborted).toMatch(/^threshold http_req_failed: rate<0.01 failed \(actual 1\) with abortOnFail/);
    expect(result.exitCode).toBe(99);
    // 30 s at 20/s were scheduled, 300 per agent; each stopped long before its share ran out, and said it was done.
    for (const agent of result.agents ?? []) {
      expect(agent.scheduled).toBe(300);
      expect(agent.lost).toBeNull();
      expect(agent.started).toBeLessThan(150);
    }
  });

  it.each([
    { fault: "dies (SIGKILL)", signal: "SIGKILL", reason: /^connection closed/ },
    { fault: "stalls (SIGSTOP)", signal: "SIGSTOP", reason: /^stalled: nothing heard for \d/ },
  ] as const)(
    "reports an agent that $fault mid-run as lost, counts its missed starts as dropped, and finishes with the other",
    async ({ signal, reason }) => {
      const agents = await new LocalAgents(2).withWorkers(1).start();
      const victim = agents.processes[1];
      let result: LoadResult;
      try {
        requests = 0;
        onRequest = () => {
          if (requests === 10) victim?.signal(signal);
        };
        result = await runLoad({
          scenario: fixture("agents-tagged.ts"),
          target: {},
          env: { URL: echo.url },
          rate: 20,
          duration: 4000,
          progress: false,
          generators: agentFleet(agents.endpoints, { stallTimeoutMs: 1500 }),
        });
      } finally {
        onRequest = () => undefined;
        await agents.stop();
      }
      expect(victim?.running).toBe(false);
      const [survivor, lost] = result.agents ?? [];
      expect(lost?.lost?.reason).toMatch(reason);
      expect(lost?.behind).toMatch(/^lost .* missed starts counted as dropped$/);
      expect(survivor?.lost).toBeNull();
      expect(result.exitCode).toBe(1);
      expect(result.passed).toBe(false);
      const suite = toSuiteResult("load", result);
      expect(suite.verdict).toBe("fail");
      expect(suite.tests.filter((t) => t.state === "failed").map((t) => t.name)).toEqual(["agent local-2 ran to the end"]);
      // Nothing of the schedule is lost from the books: started + dropped is every arrival of both shares.
      expect(result.series.reduce((sum, s) => sum + s.started + s.dropped, 0)).toBe(80);
      expect(lost?.lost?.missedStarts).toBeGreaterThan(0);
      const counted = result.tagged.counters.find((c) => c.metric === "dropped_iterations" && c.tags.agent === "local-2");
      expect(counted?.value).toBe(lost?.lost?.missedStarts);
    },
  );

  it("serves wss:// with a certificate the coordinator checks against its CA", async () => {
    using dir = scratchDir();
    const openssl = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=gauntlet-agent",
      ].concat(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir.path, "key.pem"), "-out", join(dir.path, "cert.pem")]),
      { encoding: "utf8" },
    );
    expect(openssl.status, openssl.stderr).toBe(0);
    const cert = readFileSync(join(dir.path, "cert.pem"), "utf8");
    const token = "a-token-for-tls-0123456789";
    await using agent = await new LoadAgent(token)
      .withWorkers(1)
      .withTls(cert, readFileSync(join(dir.path, "key.pem"), "utf8"))
      .listen("127.0.0.1", 0);
    expect(agent.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    await expect(AgentConnection.open({ name: "untrusting", url: agent.url, token })).rejects.toThrow(
      /load agent untrusting: cannot connect: self-signed/,
    );
    const trusting = await AgentConnection.open({ name: "trusting", url: agent.url, token, ca: cert });
    expect(trusting.hello.version).toBe(1);
    await trusting.close();
  });

  it("refuses to drive something that does not speak the agent protocol", async () => {
    const impostor = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    impostor.on("connection", (socket) => socket.send("<html>hello</html>"));
    await new Promise((resolve) => impostor.once("listening", resolve));
    const { port } = impostor.address() as { port: number };
    try {
      await expect(
        AgentConnection.open({ name: "impostor", url: `ws://127.0.0.1:${port}`, token: "any-token-0123456789" }),
      ).rejects.toThrow(/^load agent impostor: sent an unreadable hello/);
    } finally {
      impostor.close();
    }
  });

  it("ends a run whose coordinator vanished, and takes the next coordinator", async () => {
    const token = "a-token-for-vanishing-0123";
    await using agent = await new LoadAgent(token).withWorkers(1).listen("127.0.0.1", 0);
    // A coordinator that gets the agent going on a 10-minute run, then drops off the network.
    const file = fixture("agents-tagged.ts");
    const scenarios = normalizeScenarios(file, ((await import(file)) as { options: unknown }).options, { durationMs: 600_000 });
    const vanishing = await AgentConnection.open({ name: "vanishing", url: agent.url, token });
    const running = new Promise<void>((resolve) =>
      vanishing.onMessage((message) => {
        if (message.type === "ready") vanishing.send({ type: "start", runStartMs: Date.now() });
        if (message.type === "delta" && message.delta.seconds.some((s) => s.started > 0)) resolve();
      }),
    );
    vanishing.send({
      type: "prepare",
      scenario: readScenarioSource(file),
      plans: [{ worker: 0, assignments: plan(scenarios, 1)[0] ?? [] }],
      target: {},
      env: { URL: echo.url },
      data: null,
      flushMs: 100,
    });
    await running;
    const ended = agent.sessionEnded();
    vanishing.terminate();
    // The session ends only once its worker threads are gone.
    await ended;
    const next = await AgentConnection.open({ name: "next", url: agent.url, token });
    expect(next.hello.type).toBe("hello");
    await next.close();
  });

  it("refuses a coordinator with the wrong token, a token too short to guard it, and a second coordinator", async () => {
    expect(() => new LoadAgent("short")).toThrow(/at least 16 characters/);
    await using agent = await new LoadAgent("the-right-token-0123456789").withWorkers(1).listen("127.0.0.1", 0);
    await expect(AgentConnection.open({ name: "intruder", url: agent.url, token: "a-wrong-token-0123456789" })).rejects.toThrow(
      "load agent intruder refused the token: bad token",
    );
    const health = await fetch(`${agent.url.replace("ws:", "http:")}/healthz`);
    expect(health.status).toBe(200);
    const rightful = await AgentConnection.open({ name: "coordinator", url: agent.url, token: "the-right-token-0123456789" });
    expect(rightful.hello.workers).toBe(1);
    await expect(AgentConnection.open({ name: "second", url: agent.url, token: "the-right-token-0123456789" })).rejects.toThrow(
      "load agent second is busy with another run: a run is in progress",
    );
    await rightful.close();
  });
});

describe("gauntlet load --agents and gauntlet agent", () => {
  let echo: TestServer;
  const dir = scratchDir();
  let target = "";

  beforeAll(async () => {
    echo = await httpServer((_req, res) => res.end("ok"));
    // The scenario speaks HTTP only; the target file still names a (closed) NATS port, as every target does.
    target = dir.write("target.yaml", "nats:\n  servers: [nats://127.0.0.1:1]\n  monitoring: [http://127.0.0.1:1]\n");
  });

  afterAll(async () => {
    await echo?.close();
    dir[Symbol.dispose]();
  });

  it("runs a scenario over two local agents, shows their shares and writes them to load.json", async () => {
    const out = join(dir.path, "out");
    const run = await gauntlet([
      "load",
      fixture("agents-tagged.ts"),
      "--target",
      target,
      "--env",
      `URL=${echo.url}`,
      "--agents",
      "local:2",
      "--out",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/agents: local-1 \(1 worker on .*\), local-2/);
    expect(run.stderr).toMatch(/^local-2 +1 +50\.0% +50 +0 +0 /m);
    const result = JSON.parse(readFileSync(join(out, "load.json"), "utf8"));
    expect(result.agents.map((a: { name: string; started: number }) => [a.name, a.started])).toEqual([
      ["local-1", 50],
      ["local-2", 50],
    ]);
  });

  it("runs a profile's load steps over its agents, each step's agents in the run record's load section", async () => {
    const record = new RunRecord(join(dir.path, "runs"));
    const context: RunContext = {
      repoRoot,
      target: await loadTarget(target),
      record,
      startedAtMs: Date.now(),
      pids: [],
      stderr: new PassThrough() as unknown as NodeJS.WriteStream,
      signal: new AbortController().signal,
    };
    const step = { scenario: fixture("agents-tagged.ts"), rate: 20, duration: 1000, env: { URL: echo.url } };
    const { suites, section } = await runLoadSteps(context, [step, step], "mine.yaml", undefined, { kind: "local", count: 2 });
    expect(
      suites.map((s) => s.verdict),
      JSON.stringify(suites.map((s) => s.tests.flatMap((t) => t.errors))),
    ).toEqual(["pass", "pass"]);
    expect(section.agents?.map((a) => [a.name, a.share])).toEqual([
      ["local-1", 0.5],
      ["local-2", 0.5],
      ["local-1", 0.5],
      ["local-2", 0.5],
    ]);
  });

  it("on Ctrl-C mid-run stops every agent, leaves no agent process behind and exits 130", async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, "harness/cli/main.ts"), "load", fixture("agents-tagged.ts"), "--target", target, "--env", `URL=${echo.url}`].concat([
        "--agents",
        "local:2",
        "--duration",
        "10m",
      ]),
      { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stderr = "";
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
        if (stderr.includes("agents: local-1")) resolve();
      }),
    );
    const agentPids = readdirSync(`/proc/${child.pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${child.pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
    expect(agentPids).toHaveLength(2);
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(130);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(agentPids.filter(alive)).toEqual([]);
  });

  it("takes its token from a file or GAUNTLET_AGENT_TOKEN, never from the command line, and not a short one", async () => {
    const token = "a-token-from-a-file-0123456789";
    const onArgv = await gauntlet(["agent", "--listen", "127.0.0.1:0", "--token", token]);
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toContain("--token would put the secret on the command line, where ps and /proc show it to every local user");
    expect(onArgv.stdout).not.toContain("listening");
    const coordinator = await gauntlet(["load", fixture("agents-tagged.ts"), "--agents", "ws://127.0.0.1:9", "--agent-token", token]);
    expect(coordinator.code).toBe(2);
    expect(coordinator.stderr).toContain("--agent-token would put the secret on the command line");

    using dir = scratchDir();
    const short = await gauntlet(["agent", "--listen", "127.0.0.1:0", "--token-file", dir.write("short", "short\n")]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("the agent token must be at least 16 characters");
    const shortInEnv = await gauntlet(["agent", "--listen", "127.0.0.1:0"], { GAUNTLET_AGENT_TOKEN: "short" });
    expect(shortInEnv.code).toBe(2);
    expect(shortInEnv.stderr).toContain("the agent token must be at least 16 characters");

    const agent = spawn(
      process.execPath,
      [join(repoRoot, "harness/cli/main.ts"), "agent", "--listen", "127.0.0.1:0", "--workers", "1"].concat([
        "--once",
        "--token-file",
        dir.write("token", `${token}\n`),
      ]),
    );
    const exited = new Promise<number | null>((resolve) => agent.on("close", resolve));
    const url = await new Promise<string>((resolve) => {
      let out = "";
      agent.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /listening on (ws:\/\/\S+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
    });
    const session = await AgentConnection.open({ name: "coordinator", url, token });
    await session.close();
    expect(await exited).toBe(0);
  });
});
