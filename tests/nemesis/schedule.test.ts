import { describe, expect, it } from "vitest";
import { generateSchedule, mulberry32, type ScheduleOptions } from "../../harness/nemesis/index.ts";

const options: ScheduleOptions = {
  seed: 42,
  nodes: ["nats-1", "nats-2", "nats-3", "nats-4", "nats-5"],
  faults: ["kill-node", "pause-node", "stop-node", "partition-minority", "kill-stream-leader", "kill-service-replica"],
  streams: ["ORDERS", "EVENTS"],
  services: ["event-bus#0", "event-bus#1"],
  quietMs: 5_000,
  faultsMs: 60_000,
  drainMs: 5_000,
};

describe("nemesis schedule", () => {
  it("is the same for the same seed, so a failing run replays exactly", () => {
    const first = generateSchedule(options);
    expect(generateSchedule({ ...options })).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it("differs for a different seed", () => {
    expect(generateSchedule({ ...options, seed: 43 })).not.toEqual(generateSchedule(options));
  });

  it("runs quiet → faults → heal → drain, filling the faults phase with held and healed faults", () => {
    const schedule = generateSchedule(options);
    expect(schedule.seed).toBe(42);
    expect(schedule.phases.map((phase) => phase.phase)).toEqual(["quiet", "faults", "heal", "drain"]);
    const faults = schedule.phases[1];
    if (faults?.phase !== "faults") throw new Error("no faults phase");
    const total = faults.steps.reduce((sum, step) => sum + step.holdMs + step.gapMs, 0);
    expect(total).toBeGreaterThanOrEqual(60_000);
    expect(total - (faults.steps.at(-1)?.holdMs ?? 0) - (faults.steps.at(-1)?.gapMs ?? 0)).toBeLessThan(60_000);
    for (const step of faults.steps) {
      expect(step.holdMs).toBeGreaterThanOrEqual(2_000);
      expect(step.holdMs).toBeLessThanOrEqual(5_000);
      expect(options.faults).toContain(step.fault.kind);
      if (step.fault.kind === "partition-minority") {
        expect(step.fault.nodes).toHaveLength(2);
        for (const node of step.fault.nodes ?? []) expect(options.nodes).toContain(node);
      }
      if (step.fault.kind === "kill-node") expect(options.nodes).toContain(step.fault.node);
    }
    expect(new Set(faults.steps.map((step) => step.fault.kind)).size).toBeGreaterThan(2);
  });

  it("names the field and the problem for bad options", () => {
    expect(() => generateSchedule({ ...options, seed: 1.5 })).toThrow("schedule: seed: must be a whole number");
    expect(() => generateSchedule({ ...options, faults: [] })).toThrow("schedule: faults: needs at least one fault kind");
    expect(() => generateSchedule({ ...options, faults: ["melt-node" as "kill-node"] })).toThrow(
      /schedule: faults: unknown fault "melt-node"/,
    );
    expect(() => generateSchedule({ ...options, streams: [] })).toThrow(
      "schedule: streams: fault kill-stream-leader needs at least one stream",
    );
    expect(() => generateSchedule({ ...options, holdMs: [5_000, 1_000] })).toThrow("schedule: holdMs: min 5000 is above max 1000");
    expect(() => generateSchedule({ ...options, quietMs: -1 })).toThrow("schedule: quietMs: must be a whole number of milliseconds");
    expect(() => generateSchedule({ ...options, nodes: ["a", "b"], faults: ["partition-minority"] })).toThrow(
      "schedule: nodes: fault partition-minority needs at least 3 nodes",
    );
  });

  it("draws from a seeded generator, never from Math.random", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const drawn = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(drawn);
    for (const value of drawn) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
