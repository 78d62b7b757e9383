import { describe, expect, it } from "vitest";
import { type Clock, RetryError, retry, waitUntil } from "../../lib/retry/index.ts";

/** A clock the test moves: sleeping advances it at once and is written down. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const failing = (messages: string[]) => {
  let calls = 0;
  return async () => {
    const message = messages[Math.min(calls++, messages.length - 1)] as string;
    if (message === "ok") return "done";
    throw new Error(message);
  };
};

describe("the one retry helper", () => {
  it("retries until the operation succeeds, pausing between attempts", async () => {
    const clock = fakeClock();
    expect(await retry(failing(["no responders", "no responders", "ok"]), { what: "x", attempts: 5, intervalMs: 100, clock })).toBe("done");
    expect(clock.slept).toEqual([100, 100]);
  });

  it("backs off by attempt number and gives up after the attempts, with the last reason", async () => {
    const clock = fakeClock();
    const attempt = retry(failing(["timeout 1", "timeout 2", "timeout 3"]), {
      what: "create stream S",
      attempts: 3,
      intervalMs: (n) => 250 * n,
      clock,
    });
    await expect(attempt).rejects.toThrow("create stream S: still failing after 3 attempts: timeout 3");
    await expect(attempt).rejects.toBeInstanceOf(RetryError);
    expect(clock.slept).toEqual([250, 500]);
  });

  it("gives up when the time runs out, naming what it waited for", async () => {
    const clock = fakeClock();
    const waiting = waitUntil(async () => undefined, { what: "the cluster to form", timeoutMs: 1_000, intervalMs: 300, clock });
    await expect(waiting).rejects.toThrow("timed out after 1000 ms waiting for the cluster to form");
    expect(clock.slept).toEqual([300, 300, 300, 300]);
  });

  it("throws an error that is not worth retrying at once, as it is", async () => {
    const clock = fakeClock();
    const attempt = retry(failing(["stream not found"]), { what: "x", attempts: 5, retryIf: (e) => /timeout/.test(String(e)), clock });
    await expect(attempt).rejects.toThrow(new Error("stream not found"));
    expect(clock.slept).toEqual([]);
  });

  it("stops when aborted, and refuses a loop without a bound", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(waitUntil(async () => undefined, { what: "x", timeoutMs: 1_000, signal: controller.signal })).rejects.toThrow(
      "This operation was aborted",
    );
    await expect(waitUntil(async () => undefined, { what: "forever" })).rejects.toThrow(RangeError);
  });
});
