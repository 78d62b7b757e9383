import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  LATENCY_LOG,
  type LatencySample,
  readSummary,
  resolveRun,
  SUMMARY_SCHEMA_VERSION,
  type Summary,
  summarizeLatency,
} from "../../harness/record/index.ts";
import { renderHtmlReport, renderPage } from "../../reports/html/index.ts";
import { saveBaseline } from "../../reports/trends/index.ts";
import { realisticSummary, writeRunRecord } from "./support/realistic-run.ts";

const minimal: Summary = {
  schema: SUMMARY_SCHEMA_VERSION,
  runId: "2026-11-26T22-00-00-aaaa",
  startedAt: "2026-11-26T22:00:00.000Z",
  finishedAt: "2026-11-26T22:00:02.000Z",
  durationMs: 2000,
  profile: "default",
  target: { kind: "local", nodes: 3 },
  verdict: "pass",
  exitCode: 0,
  reasons: [],
  suites: [],
};

const page = (summary: Summary) => renderPage({ summary, trends: [], artifacts: [], generatedAt: "2026-11-26T22:00:03.000Z" });
const sections = (html: string) => [...html.matchAll(/data-section="([^"]+)"/g)].map((m) => m[1]);
const charts = (html: string) => [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
/** Leftovers of a section rendered from missing data. */
const BROKEN = /undefined|NaN|\[object Object\]|Infinity/;

const temporary: string[] = [];
async function runsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gauntlet-reports-"));
  temporary.push(dir);
  return join(dir, "runs");
}
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("renderPage", () => {
  it("renders a run with no optional data as the verdict alone, with nothing broken", () => {
    const html = page(minimal);
    expect(sections(html)).toEqual(["verdict"]);
    expect(charts(html)).toEqual([]);
    expect(html).toContain('data-verdict="pass"');
    expect(html).not.toMatch(BROKEN);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it("counts each failure once in the headline: a crossed threshold or a failed experiment is also a failed test, not a second check", () => {
    const summary = realisticSummary();
    expect(summary.reasons).toHaveLength(3);
    expect(page(summary)).toContain("3 checks failed.");
  });

  it("shows each optional section only when its data is there", () => {
    const full = realisticSummary();
    expect(sections(page(full))).toEqual(["verdict", "suite", "suite", "latency", "load", "failover", "cluster"]);
    const { latency: _l, load: _lo, failover: _f, cluster: _c, ...bare } = full;
    expect(sections(page({ ...bare, load: full.load }))).toEqual(["verdict", "suite", "suite", "load"]);
    expect(sections(page({ ...bare, cluster: { after: full.cluster?.after } }))).toEqual(["verdict", "suite", "suite", "cluster"]);
    expect(sections(page({ ...bare, latency: { endpoints: [] }, load: { scenarios: [], timeSeries: [], thresholds: [] } }))).toEqual([
      "verdict",
      "suite",
      "suite",
    ]);
  });

  it("draws load charts without fault shading when no fault was injected, and leaves out what is missing", () => {
    const full = realisticSummary();
    const load = { ...full.load, faultWindows: undefined, histograms: undefined } as NonNullable<Summary["load"]>;
    const html = page({ ...minimal, load });
    expect(charts(html)).toEqual(["load-throughput", "load-latency"]);
    expect(html).toContain('data-fault-windows="0"');
    expect(html).not.toMatch(/fill-opacity="0.16"/);
    expect(html).not.toMatch(BROKEN);
    const onlyThresholds = page({ ...minimal, load: { scenarios: [], timeSeries: [], thresholds: load.thresholds } });
    expect(charts(onlyThresholds)).toEqual([]);
    expect(onlyThresholds).toContain('data-table="thresholds"');
    expect(onlyThresholds).not.toContain('data-table="scenarios"');
  });

  it("lists the load agents, each one's share and resources, and marks the one that could not keep its share", () => {
    const agent = {
      scenario: "gateway-mixed",
      host: "gen-a",
      workers: 2,
      share: 0.5,
      errors: 0,
      cpuMaxPercent: 181.4,
      rssMaxBytes: 2 ** 28,
    };
    const html = page({
      ...minimal,
      load: {
        scenarios: [],
        timeSeries: [],
        thresholds: [],
        agents: [
          { ...agent, name: "gen-a", started: 3000, dropped: 0, behind: null },
          { ...agent, name: "gen-b", host: "gen-b", started: 2400, dropped: 600, behind: "dropped 600 of its 3000 arrivals (20.0%)" },
        ],
      },
    });
    expect(sections(html)).toEqual(["verdict", "load"]);
    expect(html).toContain('data-table="agents"');
    expect([...html.matchAll(/data-behind="([^"]+)"/g)].map((m) => m[1])).toEqual(["gen-b"]);
    expect(html).toContain("dropped 600 of its 3000 arrivals (20.0%)");
    expect(html).toContain("50 %");
    expect(html).toContain("256 MB");
    expect(html).not.toMatch(BROKEN);
  });

  it("states each experiment's resolution under its unavailability, and marks and explains one coarser than its bound", () => {
    const html = page(realisticSummary());
    const resolutions = [...html.matchAll(/<div class="sub( coarse)?" data-resolution="([^"]+)"/g)].map((m) => [m[2], Boolean(m[1])]);
    expect(resolutions.slice(0, 3)).toEqual([
      ["21", false],
      ["180", true],
      ["21", false],
    ]);
    expect(html).toContain('title="widest gap between publish attempts 21.0 ms, p99 9.50 ms">± 21.0 ms</div>');
    expect(html).toContain(
      'title="widest gap between publish attempts 180 ms, p99 9.50 ms; coarser than the 50.0 ms bound">± 180 ms</div>',
    );
    expect(html).toContain('data-warnings="failover"');
    expect(html).toContain("publish attempts up to 180 ms apart (bound 50 ms)");
    expect(html).not.toMatch(BROKEN);
  });

  it("draws degenerate series (one point, all-zero latency, a fault window past the data) without breaking", () => {
    const html = page({
      ...minimal,
      failover: {
        experiments: [
          {
            name: "kill",
            fault: "kill n1",
            verdict: "pass",
            checkers: { lost: 0, duplicated: 0, unexpected: 0 },
            faultWindows: [{ start: 10, end: 40, fault: "kill n1" }],
          },
        ],
        timeSeries: [{ t: 10, rate: 0, errors: 0, p50: 0, p99: 0 }],
      },
    });
    expect(charts(html)).toEqual(["failover-throughput", "failover-latency"]);
    // Two charts, each drawn wide and narrow: one shaded window in each.
    expect(html.match(/fill-opacity="0.16"/g)).toHaveLength(4);
    expect(html).not.toMatch(BROKEN);
  });

  it("shows a cluster recorded only after the run, and a node that is down", () => {
    const after = structuredClone(realisticSummary().cluster?.after);
    if (!after) throw new Error("fixture has a cluster");
    const down = after.nodes[1];
    if (down) down.up = false;
    after.metaLeader = null;
    const html = page({ ...minimal, cluster: { after } });
    expect(html).toContain('data-table="cluster-nodes"');
    expect(html).toMatch(/<th>after<\/th>/);
    expect(html).not.toMatch(/<th>before<\/th>/);
    expect(html).toContain("meta leader <strong>none</strong>");
    expect(html).toContain('<span class="badge fail">down</span>');
    expect(html).not.toMatch(BROKEN);
  });

  it("leaves error-path probes (a deliberate 504) out of the latency headline and the per-endpoint figures", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gauntlet-latency-"));
    temporary.push(dir);
    const samples: LatencySample[] = [
      ...[12, 14, 15, 18, 22].map((ms) => ({ endpoint: "orders.create", ms, status: 200 })),
      ...[40, 45, 51].map((ms) => ({ endpoint: "story-teller.compose", ms, status: 200 })),
      { endpoint: "orders.slow", ms: 9, status: 200 },
      // The e2e's timeout test: its request waits out the endpoint's timeout on purpose.
      { endpoint: "orders.slow", ms: 5_004, status: 504, errorPath: true },
    ];
    await writeFile(join(dir, LATENCY_LOG), samples.map((sample) => `${JSON.stringify(sample)}\n`).join(""));
    const latency = summarizeLatency(dir);
    const html = page({ ...minimal, latency });
    const tile = /<div class="label">slowest p99<\/div><div class="value"[^>]*>([^<]+)<div class="sub">([^<]+)</.exec(html);
    expect(tile?.slice(1)).toEqual(["51.0 ms", "story-teller.compose"]);
    expect(latency?.endpoints.find((e) => e.endpoint === "orders.slow")).toMatchObject({ count: 1, errors: 0, max: 9 });
    expect(html).not.toContain("5.00 s");
  });

  it("escapes what tests and services say", () => {
    const html = page({
      ...minimal,
      verdict: "fail",
      reasons: ["<script>alert(1)</script>"],
      suites: [
        {
          name: "e2e",
          verdict: "fail",
          durationMs: 1,
          tests: [
            {
              name: "<img src=x>",
              fullName: "<img src=x>",
              file: "a.ts",
              state: "failed",
              durationMs: 1,
              errors: [{ message: '"</pre><b>' }],
            },
          ],
        },
      ],
    });
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&quot;&lt;/pre&gt;&lt;b&gt;");
  });
});

describe("renderHtmlReport", () => {
  it("writes index.html into the run record, compared with the previous run and the saved baseline", async () => {
    const runs = await runsDir();
    const oldest = await writeRunRecord(
      runs,
      realisticSummary({ runId: "2026-11-24T22-00-00-a1a1", startedAt: "2026-11-24T22:00:00.000Z", failing: false, seed: 1 }),
    );
    await saveBaseline(await readSummary(oldest), join(runs, "..", "baselines", "baseline.json"));
    await writeRunRecord(
      runs,
      realisticSummary({ runId: "2026-11-25T22-00-00-b2b2", startedAt: "2026-11-25T22:00:00.000Z", failing: false, seed: 2 }),
    );
    const current = await writeRunRecord(runs, realisticSummary({ runId: "2026-11-26T22-00-00-c3c3", latencyFactor: 1.5, seed: 3 }));
    await symlink("2026-11-26T22-00-00-c3c3", join(runs, "latest"));

    const file = await renderHtmlReport(join(runs, "latest"));
    expect(file).toBe(join(current, "index.html"));
    const html = await readFile(file, "utf8");
    expect(html).toContain('data-section="trends"');
    expect(html).toMatch(/the previous run <code>2026-11-25T22-00-00-b2b2<\/code> and the baseline <code>2026-11-24T22-00-00-a1a1<\/code>/);
    expect(html).toContain('data-regressions="previous run"');
    expect(html).toContain('data-regressions="baseline"');
    expect(html).toContain('<a href="junit.xml">junit.xml</a>');
  });

  it("leaves trends out of the first run ever recorded", async () => {
    const runs = await runsDir();
    const only = await writeRunRecord(runs, realisticSummary());
    const html = await readFile(await renderHtmlReport(only), "utf8");
    expect(html).not.toContain('data-section="trends"');
  });
});

describe("run records", () => {
  it("names the file and the field when summary.json is wrong", async () => {
    const runs = await runsDir();
    const dir = await writeRunRecord(runs, realisticSummary());
    const broken = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
    broken.load.timeSeries[3].p99 = "slow";
    await writeFile(join(dir, "summary.json"), JSON.stringify(broken));
    await expect(renderHtmlReport(dir)).rejects.toThrow(
      `${join(dir, "summary.json")}:load.timeSeries[3].p99: expected number, got string "slow"`,
    );
    await writeFile(join(dir, "summary.json"), "{ not json");
    await expect(readSummary(dir)).rejects.toThrow(/summary\.json: not valid JSON/);
  });

  it("resolves latest to the newest run when there is no link, and names the known runs when an id is wrong", async () => {
    const runs = await runsDir();
    await writeRunRecord(runs, realisticSummary({ runId: "2026-11-25T22-00-00-b2b2", startedAt: "2026-11-25T22:00:00.000Z" }));
    await writeRunRecord(runs, realisticSummary({ runId: "2026-11-26T22-00-00-c3c3", startedAt: "2026-11-26T22:00:00.000Z" }));
    expect((await resolveRun(runs, "latest")).id).toBe("2026-11-26T22-00-00-c3c3");
    await expect(resolveRun(runs, "nope")).rejects.toThrow(
      `${runs}: no run 'nope' (known runs: 2026-11-25T22-00-00-b2b2, 2026-11-26T22-00-00-c3c3)`,
    );
  });
});
