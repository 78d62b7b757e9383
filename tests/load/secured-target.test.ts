import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nkeys } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { gauntlet } from "../support/cli.ts";
import { scratchDir } from "./support.ts";

const fixture = new URL("./fixtures/nats-echo.ts", import.meta.url).pathname;

/** A server that admits only one nkey user: the load engine must authenticate as the target file says. */
describe("gauntlet load against a secured target", () => {
  const dir = scratchDir();
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  let cluster: StartedLocalCluster;

  beforeAll(async () => {
    cluster = await new LocalCluster()
      .withNodes(1)
      // The default auth window (about 1 s) can close on a 2-core machine shared by many test runs
      // while a just-started worker thread is still signing its nonce: a starved client, not a refusal.
      .withConfig({ authorization: { timeout: 10, users: [{ nkey: user.getPublicKey() }] } })
      .start();
  });

  afterAll(async () => {
    await cluster?.stop();
    dir[Symbol.dispose]();
  });

  const targetWith = (name: string, auth: string) =>
    dir.write(name, `nats:\n  servers: [${cluster.clientUrls[0]}]\n  monitoring: [${cluster.monitoringUrls[0]}]\n${auth}`);

  async function requestReply(target: string, out: string) {
    const run = await gauntlet(["load", fixture, "--target", target, "--workers", "1", "--out", out], { timeoutMs: 60_000 });
    return { run, result: () => JSON.parse(readFileSync(join(out, "load.json"), "utf8")) };
  }

  it("authenticates setup and workers with the target's nkey seed file", async () => {
    const target = targetWith("nkey.yaml", `  nkey: ${dir.write("user.nk", `${seed}\n`)}\n`);
    const { run, result } = await requestReply(target, join(dir.path, "nkey"));
    expect(run.code, run.stderr).toBe(0);
    expect(result().metrics.nats_reqs.count).toBe(20);
    expect(result().metrics.checks.rate).toBe(1);
  });

  it("authenticates with the target's creds file", async () => {
    // Outside operator mode the server checks the creds file's nkey signature; the JWT is not read.
    const creds = dir.write(
      "user.creds",
      `-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.unused\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
    );
    const { run, result } = await requestReply(targetWith("creds.yaml", `  creds: ${creds}\n`), join(dir.path, "creds"));
    expect(run.code, run.stderr).toBe(0);
    expect(result().metrics.checks.rate).toBe(1);
  });

  it("asks for TLS when the target has tls, and says the server offers none", async () => {
    const target = targetWith("tls.yaml", `  nkey: ${join(dir.path, "user.nk")}\n  tls: {}\n`);
    const { run } = await requestReply(target, join(dir.path, "tls"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("server does not support 'tls'");
  });

  it("is refused without credentials (the server really is secured)", async () => {
    const { run } = await requestReply(targetWith("open.yaml", ""), join(dir.path, "open"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Authorization Violation");
  });
});
