import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GauntletError } from "../../lib/errors/index.ts";
import { DEFAULT_MANIFEST, durableStreams, loadManifest, ManifestError, parseManifest } from "../../services/manifest/index.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-manifest-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small valid manifest; tests replace one line to break it. */
const VALID = `services:
  - name: alpha
    version: 1.0.0
    endpoints:
      - name: get
        timeout: 2s
        samples: [{ id: 1 }]
        responseSchema: { type: object }
  - name: beta
    version: 0.3.1-rc.1
    calls: [alpha.get]
    streams:
      - { name: ORDERS, subjects: ["orders.>"] }
    kv:
      - { bucket: carts }
    endpoints:
      - name: put
        subject: shop.beta.put
        queue: workers
        timeout: 250ms
        samples: [{ id: 2 }, "text"]
        responseSchema: { type: object, required: [ok] }
    profile:
      latency: { distribution: lognormal, p50: 5ms, p99: 50ms }
      payloadBytes: 100
      errorRate: 0.1
`;

function manifestFile(text: string): string {
  const file = join(dir, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The ManifestError message for `text`, with `from` replaced by `to` (which must be present). */
async function problemWith(from: string, to: string): Promise<{ file: string; message: string }> {
  expect(VALID).toContain(from);
  const file = manifestFile(VALID.replace(from, to));
  const error = await loadManifest(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return { file, message: (error as ManifestError).message };
}

describe("manifest loader: valid files", () => {
  it("loads the reference fleet: 22 services, 2 replicas each, subjects svc.<service>.<endpoint>", async () => {
    const manifest = await loadManifest(DEFAULT_MANIFEST);
    expect(manifest.file).toBe(DEFAULT_MANIFEST);
    expect(manifest.services).toHaveLength(22);
    for (const service of manifest.services) {
      expect(service.replicas).toBe(2);
      for (const endpoint of service.endpoints) {
        expect(endpoint.subject).toBe(`svc.${service.name}.${endpoint.name}`);
        expect(endpoint.samples.length).toBeGreaterThan(0);
      }
    }
    const named = manifest.services.filter((s) => s.behaviour !== "stand-in").map((s) => s.name);
    expect(named.sort()).toEqual(["ai-integration", "event-bus", "model-management", "state-manager", "story-teller"]);
    const events = manifest.services.find((s) => s.name === "event-bus")?.streams[0];
    expect(events).toEqual({
      name: "EVENTS",
      subjects: ["events.>"],
      replicas: 3,
      storage: "file",
      duplicateWindowMs: 120_000,
      durable: true,
    });
    expect(durableStreams(manifest)).toEqual(["KV_state", "EVENTS"]);
    const infer = manifest.services.find((s) => s.name === "ai-integration")?.endpoints[0];
    expect(infer?.slowSample).toEqual({ request: { prompt: "slow", delay_ms: 5000 }, minDelayMs: 5000 });
    expect((infer?.timeoutMs ?? 0) < 5000).toBe(true);
  });

  it("fills defaults and converts durations", async () => {
    const manifest = await loadManifest(manifestFile(VALID));
    const [alpha, beta] = manifest.services;
    expect(alpha).toMatchObject({
      replicas: 2,
      behaviour: "stand-in",
      description: "",
      streams: [],
      kv: [],
      calls: [],
      profile: { latency: { distribution: "fixed", valueMs: 0 }, payloadBytes: 64, errorRate: 0, maxDelayMs: 10_000 },
    });
    expect(alpha?.endpoints[0]).toEqual({
      name: "get",
      subject: "svc.alpha.get",
      queue: "q",
      timeoutMs: 2000,
      samples: [{ id: 1 }],
      responseSchema: { type: "object" },
    });
    expect(beta?.endpoints[0]).toMatchObject({ subject: "shop.beta.put", queue: "workers", timeoutMs: 250, samples: [{ id: 2 }, "text"] });
    expect(beta?.streams[0]).toEqual({
      name: "ORDERS",
      subjects: ["orders.>"],
      replicas: 3,
      storage: "file",
      duplicateWindowMs: 120_000,
      durable: false,
    });
    expect(beta?.kv[0]).toEqual({ bucket: "carts", replicas: 3, history: 1, durable: false });
    expect(beta?.profile).toEqual({
      latency: { distribution: "lognormal", p50Ms: 5, p99Ms: 50 },
      payloadBytes: 100,
      errorRate: 0.1,
      maxDelayMs: 10_000,
    });
  });
});

describe("manifest durations", () => {
  it("take the grammar every other file takes: 1m30s, 1.5m, 2h", () => {
    const manifest = parseManifest(VALID.replace("timeout: 2s", "timeout: 1m30s").replace("timeout: 250ms", "timeout: 2h"), "m.yaml");
    expect(manifest.services.map((service) => service.endpoints[0]?.timeoutMs)).toEqual([90_000, 7_200_000]);
  });
});

describe("manifest loader: bad input names file, field and problem", () => {
  it("a bad duration", async () => {
    const { file, message } = await problemWith("timeout: 250ms", "timeout: soon");
    expect(message).toBe(
      `${file}:services[1].endpoints[0].timeout: expected a duration like 500ms, 30s, 1m30s or 2h, got "soon" (line 20)`,
    );
  });

  it("a duration given as a number", async () => {
    const { file, message } = await problemWith("timeout: 2s", "timeout: 2");
    expect(message).toBe(
      `${file}:services[0].endpoints[0].timeout: expected a duration like 500ms, 30s, 1m30s or 2h, got number 2 (line 6)`,
    );
  });

  it("a missing required field", async () => {
    const { file, message } = await problemWith("    version: 1.0.0\n", "");
    expect(message).toBe(`${file}:services[0].version: required: expected a semantic version like 1.2.3 (line 2)`);
  });

  it("an unknown field (a typo)", async () => {
    const { file, message } = await problemWith("    calls: [alpha.get]", "    cals: [alpha.get]");
    expect(message).toBe(`${file}:services[1].cals: unknown field (check the spelling) (line 11)`);
  });

  it("a wrong type", async () => {
    const { file, message } = await problemWith("payloadBytes: 100", "payloadBytes: lots");
    expect(message).toBe(`${file}:services[1].profile.payloadBytes: expected a whole number of bytes, got string "lots" (line 25)`);
  });

  it("a value out of range", async () => {
    const { file, message } = await problemWith("errorRate: 0.1", "errorRate: 1.5");
    expect(message).toBe(`${file}:services[1].profile.errorRate: expected a probability from 0 to 1 (line 26)`);
  });

  it("an unknown latency distribution", async () => {
    const { file, message } = await problemWith("distribution: lognormal", "distribution: pareto");
    expect(message).toBe(`${file}:services[1].profile.latency.distribution: expected distribution fixed, uniform or lognormal (line 24)`);
  });

  it("p99 below p50", async () => {
    const { file, message } = await problemWith("p99: 50ms", "p99: 1ms");
    expect(message).toBe(`${file}:services[1].profile.latency.p99: p99 must not be below p50 (line 24)`);
  });

  it("no sample request", async () => {
    const { file, message } = await problemWith("samples: [{ id: 1 }]", "samples: []");
    expect(message).toBe(`${file}:services[0].endpoints[0].samples: expected at least one sample request (line 7)`);
  });

  it("a sample that is not JSON", async () => {
    const { file, message } = await problemWith("samples: [{ id: 1 }]", "samples: [{ id: .inf }]");
    expect(message).toBe(`${file}:services[0].endpoints[0].samples[0]: expected a JSON value (no .inf, .nan or dates) (line 7)`);
  });

  it("a subject with a wildcard", async () => {
    const { file, message } = await problemWith("subject: shop.beta.put", "subject: shop.*.put");
    expect(message).toBe(
      `${file}:services[1].endpoints[0].subject: expected a NATS subject like svc.user.get (no spaces, empty tokens or wildcards) (line 18)`,
    );
  });

  it("a subject with an empty token", async () => {
    const { file, message } = await problemWith("subject: shop.beta.put", "subject: shop..put");
    expect(message).toContain(`${file}:services[1].endpoints[0].subject: expected a NATS subject`);
  });

  it("a duplicate service name", async () => {
    const { file, message } = await problemWith("  - name: beta", "  - name: alpha");
    expect(message).toBe(`${file}:services[1].name: duplicate service name alpha (also services[0]) (line 9)`);
  });

  it("two endpoints on one subject", async () => {
    const { file, message } = await problemWith("subject: shop.beta.put", "subject: svc.alpha.get");
    expect(message).toBe(`${file}:services[1].endpoints[0].subject: subject svc.alpha.get is already used by alpha.get (line 18)`);
  });

  it("a call to an endpoint that does not exist", async () => {
    const { file, message } = await problemWith("calls: [alpha.get]", "calls: [alpha.list]");
    expect(message).toBe(`${file}:services[1].calls[0]: alpha.list is not an endpoint in this manifest (write service.endpoint) (line 11)`);
  });

  it("calls that form a cycle", async () => {
    const { file, message } = await problemWith("    version: 1.0.0\n", "    version: 1.0.0\n    calls: [beta.put]\n");
    expect(message).toBe(`${file}:services[0].calls: calls form a cycle: alpha → beta → alpha (line 4)`);
  });

  it("a response schema that is not JSON Schema", async () => {
    const { file, message } = await problemWith("responseSchema: { type: object }", "responseSchema: { type: objekt }");
    expect(message).toMatch(
      new RegExp(`^${escapeRegExp(file)}:services\\[0\\]\\.endpoints\\[0\\]\\.responseSchema: not a valid JSON Schema: .*\\(line 8\\)$`),
    );
  });

  it("a behaviour without the endpoints it serves", async () => {
    const { file, message } = await problemWith("    calls: [alpha.get]", "    behaviour: state-manager\n    calls: [alpha.get]");
    expect(message).toBe(`${file}:services[1].endpoints: behaviour state-manager needs endpoint(s) get, cas (line 18)`);
  });

  it("invalid YAML", async () => {
    const { file, message } = await problemWith("    endpoints:\n      - name: get", "    endpoints:\n      - name: get\n     bad: [");
    expect(message).toMatch(new RegExp(`^${escapeRegExp(file)}:\\(yaml\\): .+ \\(line \\d+\\)$`));
  });

  it("a file that does not exist", async () => {
    const missing = join(dir, "nope.yaml");
    await expect(loadManifest(missing)).rejects.toThrow(`${missing}:(file): file not found`);
  });

  it("is a GauntletError with exit code 2 that shows paths relative to the working directory", () => {
    const error = (() => {
      try {
        parseManifest("services: []\n", join(process.cwd(), "services", "mine.yaml"));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(GauntletError);
    expect((error as ManifestError).exitCode).toBe(2);
    expect((error as ManifestError).message).toBe("services/mine.yaml:services: expected at least one service (line 1)");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
