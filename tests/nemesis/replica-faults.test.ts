import { afterEach, describe, expect, it } from "vitest";
import { faultWindows, HistoryRecorder } from "../../harness/history/index.ts";
import { Nemesis, type ReplicaTarget } from "../../harness/nemesis/index.ts";
import { SupervisedProcess } from "../../harness/process/index.ts";
import { isAlive } from "../support/processes.ts";

/** A real process standing in for a replica: what a provider hands the nemesis for a service or gateway task. */
class ProcessReplica implements ReplicaTarget {
  readonly name: string;
  process: SupervisedProcess | undefined;

  constructor(name: string) {
    this.name = name;
  }

  get pid(): number {
    return this.process?.pid ?? -1;
  }

  async start(): Promise<void> {
    this.process = SupervisedProcess.spawn({
      label: this.name,
      command: process.execPath,
      args: ["-e", "setInterval(() => {}, 1000)"],
    });
  }

  async kill(): Promise<void> {
    await this.process?.kill();
  }
}

const started: ProcessReplica[] = [];

async function replicas(...names: string[]): Promise<ProcessReplica[]> {
  const list = names.map((name) => new ProcessReplica(name));
  for (const replica of list) await replica.start();
  started.push(...list);
  return list;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((replica) => replica.kill()));
});

describe("service and gateway replica faults", () => {
  it("kills the named service replica only, and heal starts it again", async () => {
    const services = await replicas("event-bus#0", "event-bus#1");
    const [first, second] = services;
    const history = new HistoryRecorder();
    const nemesis = new Nemesis({ nodes: [], monitoringUrls: [], services }, { history });
    const firstPid = first?.pid ?? -1;

    const fault = await nemesis.inject({ kind: "kill-service-replica", replica: "event-bus#0" });
    expect(fault.target).toEqual({ replica: "event-bus#0", restartable: true });
    expect(isAlive(firstPid)).toBe(false);
    expect(isAlive(second?.pid ?? -1)).toBe(true);

    await nemesis.heal(fault);
    expect(first?.pid).not.toBe(firstPid);
    expect(isAlive(first?.pid ?? -1)).toBe(true);
    expect(faultWindows(history.entries)).toMatchObject([
      { fault: "kill-service-replica", target: { replica: "event-bus#0" }, healed: true },
    ]);
  });

  it("kills a gateway replica that cannot be restarted here, and says so", async () => {
    const [gateway] = await replicas("gateway#1");
    if (!gateway) throw new Error("no gateway");
    const pid = gateway.pid;
    const killOnly: ReplicaTarget = { name: gateway.name, kill: () => gateway.kill() };
    const nemesis = new Nemesis({ nodes: [], monitoringUrls: [], gateways: [killOnly] });
    const fault = await nemesis.inject({ kind: "kill-gateway-replica" });
    expect(fault.target).toEqual({ replica: "gateway#1", restartable: false });
    expect(isAlive(pid)).toBe(false);
    await nemesis.heal(fault);
    expect(nemesis.active).toEqual([]);
  });

  it("explains a target without replicas or a replica it does not know", async () => {
    const services = await replicas("a#0");
    const bare = new Nemesis({ nodes: [], monitoringUrls: [] });
    expect(bare.unsupported("kill-gateway-replica")).toBe("the target has no gateway replicas");
    await expect(bare.inject({ kind: "kill-gateway-replica" })).rejects.toThrow(
      "nemesis: fault kill-gateway-replica needs gateway replicas, and the target has none",
    );
    const nemesis = new Nemesis({ nodes: [], monitoringUrls: [], services });
    await expect(nemesis.inject({ kind: "kill-service-replica", replica: "b#9" })).rejects.toThrow(
      'nemesis: no service replica named "b#9" (known: a#0)',
    );
    expect(isAlive(services[0]?.pid ?? -1)).toBe(true);
  });
});
