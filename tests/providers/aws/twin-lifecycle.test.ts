import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet, gauntletUp } from "../../support/cli.ts";

interface TwinReady {
  readonly id: string;
  readonly pid: number;
  readonly dir: string;
  readonly endpoint: string;
  readonly monitoring: string[];
}

/** False only once the port refuses connections: a server too slow to answer on a loaded machine still counts as there. */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
    () => true,
    (error: unknown) => (error as { cause?: { code?: string } }).cause?.code !== "ECONNREFUSED",
  );

/** Until nothing the twin started is left: no run dir, moto and every node's port refuse. */
async function nothingLeft(twin: TwinReady): Promise<void> {
  await waitUntil(
    async () => {
      const alive = await Promise.all([twin.endpoint, ...twin.monitoring].map(answers));
      return !existsSync(twin.dir) && alive.every((up) => !up) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: "the twin's moto, nodes and run dir to be gone" },
  );
}

async function startTwin(): Promise<TwinReady> {
  const { ready } = await gauntletUp(["--aws-twin", "--cluster-only", "--nodes", "3"]);
  const twin = ready as unknown as TwinReady;
  expect(await answers(twin.endpoint)).toBe(true);
  expect(await Promise.all(twin.monitoring.map(answers))).toEqual([true, true, true]);
  return twin;
}

describe("the AWS twin leaves nothing behind", () => {
  it("gauntlet down --stack ID stops moto, the nodes and the reconciler, and removes its run dir", async () => {
    const twin = await startTwin();
    const down = await gauntlet(["down", "--stack", twin.id]);
    expect(down.stdout).toContain(`stopped stack ${twin.id}`);
    expect(down.code).toBe(0);
    await nothingLeft(twin);
  }, 180_000);

  it("SIGKILL of the harness after up --aws-twin: the crash guard kills moto and the nodes and removes the run dir", async () => {
    const twin = await startTwin();
    process.kill(twin.pid, "SIGKILL");
    await nothingLeft(twin);
    const down = await gauntlet(["down", "--stack", twin.id]);
    expect(down.stderr).toContain(`no running stack with id ${twin.id}`);
  }, 180_000);
});
