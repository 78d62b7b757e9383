import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { dealWorkers, parseAgentsSpec } from "../../harness/load/agents/index.ts";
import { localScenario, readScenarioSource } from "../../harness/load/agents/scenario-source.ts";
import { arrivalOffsets, normalizeScenarios } from "../../harness/load/index.ts";
import { plan } from "../../harness/load/plan.ts";

describe("splitting a run over agents", () => {
  it("deals worker indexes round-robin, so a scenario with fewer VUs than workers still reaches every agent", () => {
    expect(dealWorkers([2, 2, 2])).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(dealWorkers([1, 3])).toEqual([[0], [1, 2, 3]]);
    // Three VUs over three agents of two workers: workers 0, 1, 2 are used, one on each agent.
    const scenarios = normalizeScenarios("x.ts", {
      scenarios: { s: { executor: "constant-arrival-rate", rate: 30, duration: "2s", preAllocatedVUs: 3 } },
    });
    const perWorker = plan(scenarios, 6);
    const used = dealWorkers([2, 2, 2]).map((workers) => workers.filter((w) => (perWorker[w]?.length ?? 0) > 0));
    expect(used).toEqual([[0], [1], [2]]);
  });

  it("gives the agents together exactly the single-process schedule", () => {
    const segments = [
      { from: 0, to: 90, durationMs: 2000 },
      { from: 90, to: 90, durationMs: 1000 },
    ];
    const whole = [...arrivalOffsets(segments)];
    const shares = [0, 1, 2, 3].flatMap((w) => [...arrivalOffsets(segments, w, 4)]);
    expect(shares.sort((a, b) => a - b)).toEqual(whole);
  });

  it("reads --agents as N, local:N, ecs:N or ws[s]:// URLs, and says what it expected otherwise", () => {
    expect(parseAgentsSpec("4")).toEqual({ kind: "local", count: 4 });
    expect(parseAgentsSpec("local:2")).toEqual({ kind: "local", count: 2 });
    expect(parseAgentsSpec("ecs:8")).toEqual({ kind: "ecs", count: 8 });
    expect(parseAgentsSpec("ws://a:7450, wss://b:7450")).toEqual({ kind: "remote", urls: ["ws://a:7450", "wss://b:7450"] });
    expect(() => parseAgentsSpec("local:0")).toThrow('--agents "local:0": expected a count from 1 to 1000');
    expect(() => parseAgentsSpec("http://a:7450")).toThrow("'http://a:7450' is not ws:// or wss://");
    expect(() => parseAgentsSpec("many")).toThrow("'many' is not a URL (N, local:N, ecs:N, or ws[s]://host:port[,…])");
  });
});

describe("the scenario on an agent", () => {
  it("is the agent's own file when identical, else the coordinator's text in a temp dir removed after the run", async () => {
    const file = new URL("./fixtures/agents-tagged.ts", import.meta.url).pathname;
    const sent = readScenarioSource(file);
    expect(sent.path).toBe("tests/load/fixtures/agents-tagged.ts");
    const own = localScenario(sent);
    expect(own.file).toBe(file);
    own.dispose();
    expect(existsSync(file)).toBe(true);

    const changed = localScenario({ ...sent, source: `${sent.source}\nexport const marker = "coordinator's";\n`, sha256: "0".repeat(64) });
    expect(changed.file).not.toBe(file);
    expect(((await import(changed.file)) as { marker: string }).marker).toBe("coordinator's");
    changed.dispose();
    expect(existsSync(dirname(changed.file))).toBe(false);
  });
});
