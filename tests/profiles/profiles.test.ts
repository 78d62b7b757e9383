import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtInProfiles, loadProfile } from "../../harness/profiles/index.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-profile-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profileFile(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("profiles", () => {
  it("ships smoke, nightly and release", () => {
    expect(builtInProfiles()).toEqual(["nightly", "release", "smoke"]);
  });

  it("release extends nightly: nightly's stack fsyncing every write, durability expected, nightly's fault matrix, strict thresholds", async () => {
    const [nightly, release] = await Promise.all([loadProfile("nightly"), loadProfile("release")]);
    expect(release.stack).toEqual({ ...nightly.stack, syncAlways: true });
    expect(nightly.stack.syncAlways).toBe(false);
    expect(release.expect).toEqual({ sync: "always", minReplicas: 3 });
    expect(release.failover).toEqual(nightly.failover);
    const mixed = release.load.scenarios.find((step) => step.scenario === "gateway-mixed");
    expect(mixed?.thresholds?.http_req_failed).toEqual(["rate<0.001"]);
    expect(mixed?.duration).toBe(120_000);
  });

  it("lets a user's file extend ours and override single fields", async () => {
    const file = profileFile("mine", "extends: smoke\ndescription: mine\nstack:\n  nodes: 3\n  tls: true\nfailover:\n  enabled: false\n");
    const profile = await loadProfile(file);
    const smoke = await loadProfile("smoke");
    expect(smoke.stack.tls).toBe(false);
    expect(profile).toMatchObject({
      name: "mine",
      description: "mine",
      stack: { ...smoke.stack, nodes: 3, network: "none", tls: true },
      failover: { enabled: false },
    });
    expect(profile.load).toEqual(smoke.load);
  });

  it("names file, field and problem for a bad value", async () => {
    const file = profileFile("bad", "stack:\n  fleet_mode: threads\n");
    await expect(loadProfile(file)).rejects.toThrow(
      `${file}:stack.fleet_mode: Invalid option: expected one of "process"|"cohosted" (line 2)`,
    );
  });

  it("splits its load over agents when it names them, and says what it expected when it names them wrong", async () => {
    const spread = profileFile("spread", "extends: nightly\nload:\n  agents: ws://gen-a:7450, ws://gen-b:7450\n");
    expect((await loadProfile(spread)).load.agents).toEqual({ kind: "remote", urls: ["ws://gen-a:7450", "ws://gen-b:7450"] });
    expect((await loadProfile("nightly")).load.agents).toBeUndefined();
    const bad = profileFile("bad-agents", "load:\n  agents: local:0\n");
    await expect(loadProfile(bad)).rejects.toThrow(`${bad}:load.agents: agents "local:0": expected a count from 1 to 1000`);
  });

  it("refuses an extends cycle", async () => {
    profileFile("a", `extends: ${join(dir, "b.yaml")}\n`);
    const b = profileFile("b", `extends: ${join(dir, "a.yaml")}\n`);
    await expect(loadProfile(b)).rejects.toThrow("extends: cycle: b.yaml → a.yaml → b.yaml");
  });

  it("links the cluster by a network that can cut it only when a chosen fault partitions it, or as the profile says", async () => {
    expect((await loadProfile("smoke")).stack.network).toBe("none");
    expect((await loadProfile("nightly")).stack.network).toBe("auto");
    const partitions = profileFile("partitions", "extends: smoke\nfailover:\n  faults: [partition-minority]\n");
    expect((await loadProfile(partitions)).stack.network).toBe("auto");
    const proxied = profileFile("proxied", "extends: nightly\nstack:\n  network: proxy\n");
    expect((await loadProfile(proxied)).stack.network).toBe("proxy");
  });

  it("lists the profiles it knows when asked for one that does not exist", async () => {
    await expect(loadProfile("weekly")).rejects.toThrow(
      '--profile no profile "weekly": use one of nightly, release, smoke or a path to a .yaml file',
    );
  });
});
