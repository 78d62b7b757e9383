import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadGameDay } from "../../harness/gameday/index.ts";
import { gauntlet } from "../support/cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "gauntlet-gameday-file-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const VALID_HEAD = `title: t
steady_state:
  probes:
    - doctor: {}
`;

function written(name: string, text: string): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("game-day files", () => {
  it.each(["lose-a-nats-node", "redeploy-services-under-load", "nlb-target-loss"])("gameday/%s.yaml loads", async (name) => {
    const gameDay = await loadGameDay(`gameday/${name}.yaml`);
    expect(gameDay.method.length).toBeGreaterThan(0);
  });

  it.each([
    [
      "a fault the nemesis does not have",
      `${VALID_HEAD}method:\n  - fault: unplug-the-rack\n`,
      /:method\[0\]\.fault: expected a fault of the nemesis: kill-node, .* \(line 6\)$/,
    ],
    [
      "a probe of two kinds",
      `title: t\nsteady_state:\n  probes:\n    - doctor: {}\n      srv: { service: chat }\nmethod:\n  - pause: 1s\n`,
      /:steady_state\.probes\[0\]: a probe has one kind, got doctor and srv \(line 4\)$/,
    ],
    [
      "a misspelt selector",
      `${VALID_HEAD}method:\n  - fault: kill-node\n    nodes: nats-1\n`,
      /:method\[0\]\.nodes: unknown field \(check the spelling\) \(line 7\)$/,
    ],
    [
      "a bad node selector",
      `${VALID_HEAD}method:\n  - fault: kill-node\n    node: "stream-leader:"\n`,
      /:method\[0\]\.node: expected meta-leader, stream-leader:STREAM, random or a node name/,
    ],
    [
      "a bad duration",
      `${VALID_HEAD}method:\n  - pause: soon\n`,
      /:method\[0\]\.pause: expected a duration like 500ms, 30s, 1m30s or 2h, got "soon" \(line 6\)$/,
    ],
    [
      "an SLO over a load the method never starts",
      `title: t\nsteady_state:\n  probes:\n    - gateway_slo: { load: events, max_error_rate: 0.01 }\nmethod:\n  - pause: 1s\n`,
      /:steady_state\.probes\[0\]\.gateway_slo\.load: no load named "events" is started by the method \(load: \{ start: events \}\) \(line 4\)$/,
    ],
    [
      "a load scenario suites/load does not have",
      `${VALID_HEAD}method:\n  - load: { start: events, scenario: gateway-evnts, rate: 20 }\n`,
      /:method\[0\]\.load\.scenario: no load scenario "gateway-evnts": suites\/load has gateway-events, gateway-mixed, .* \(line 6\)$/,
    ],
    [
      "a load named after no scenario, without one",
      `${VALID_HEAD}method:\n  - load: { start: events }\n`,
      /:method\[0\]\.load\.start: no load scenario "events": suites\/load has .* \(line 6\)$/,
    ],
    [
      "a rollback that injects a fault",
      `${VALID_HEAD}method:\n  - pause: 1s\nrollbacks:\n  - fault: kill-node\n`,
      /:rollbacks\[0\]\.fault: a rollback cannot inject a fault \(line 8\)$/,
    ],
    [
      "count and percent together",
      `${VALID_HEAD}method:\n  - fault: kill-node\n    count: 1\n    percent: 20\n`,
      /:method\[0\]\.percent: give count or percent, not both/,
    ],
  ])("refuses %s as file:field: problem (line N)", async (_, text, expected) => {
    const file = written("bad", text);
    await expect(loadGameDay(file)).rejects.toThrow(expected);
    await expect(loadGameDay(file)).rejects.toThrow(new RegExp(`^${file.replaceAll("/", "\\/")}:`));
  });

  it("the CLI says what is wrong with the file and exits 2 before touching any target", async () => {
    const file = written("cli", `${VALID_HEAD}method:\n  - fault: kill-node\n    node: 7\n`);
    const result = await gauntlet(["gameday", "plan", file, "--target", "/nonexistent/target.yaml"]);
    expect(result.stderr).toContain(`${file}:method[0].node: expected string, got number 7 (line 7)`);
    expect(result.code).toBe(2);
  });
});
