import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUMMARY_SCHEMA_VERSION, type Summary, toJUnit } from "../../harness/record/index.ts";
import { launchChromium } from "./support/browser.ts";
import type { BrowserGlobals, DomElement } from "./support/dom.ts";
import { realisticSummary } from "./support/realistic-run.ts";

interface ParsedCase {
  suite: string;
  name: string;
  classname: string;
  outcome: "passed" | "failure" | "error" | "skipped";
  message: string | null;
  details: string | null;
}
interface ParsedJUnit {
  parseError: string | null;
  root: Record<string, string>;
  suites: Record<string, string>[];
  cases: ParsedCase[];
}

let browser: Browser;
let page: Page;

/** Parses with Chromium's DOMParser: a strict XML 1.0 parser like the ones CI test views use. */
async function parse(xml: string): Promise<ParsedJUnit> {
  return page.evaluate((text) => {
    const dom = globalThis as unknown as BrowserGlobals;
    const doc = new dom.DOMParser().parseFromString(text, "application/xml");
    const error = doc.querySelector("parsererror");
    const attrs = (el: DomElement) => Object.fromEntries([...el.attributes].map((a) => [a.name, a.value]));
    return {
      parseError: error ? error.textContent : null,
      root: doc.documentElement ? attrs(doc.documentElement) : {},
      suites: [...doc.querySelectorAll("testsuite")].map(attrs),
      cases: [...doc.querySelectorAll("testcase")].map((c) => {
        const outcome = c.querySelector("failure, error, skipped");
        return {
          suite: c.parentElement?.getAttribute("name") ?? "",
          name: c.getAttribute("name") ?? "",
          classname: c.getAttribute("classname") ?? "",
          outcome: (outcome?.tagName ?? "passed") as ParsedCase["outcome"],
          message: outcome?.getAttribute("message") ?? null,
          details: outcome && outcome.tagName !== "skipped" ? outcome.textContent : null,
        };
      }),
    };
  }, xml);
}

function minimalSummary(overrides: Partial<Summary> = {}): Summary {
  return {
    schema: SUMMARY_SCHEMA_VERSION,
    runId: "run-1",
    startedAt: "2026-11-26T22:00:00.000Z",
    finishedAt: "2026-11-26T22:00:01.500Z",
    durationMs: 1500,
    profile: "default",
    target: { kind: "local", nodes: 3 },
    verdict: "pass",
    exitCode: 0,
    reasons: [],
    suites: [],
    ...overrides,
  };
}

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("toJUnit", () => {
  it("has one testcase per e2e test, per fault experiment and per load threshold, with totals that add up", async () => {
    const junit = await parse(toJUnit(realisticSummary()));
    expect(junit.parseError).toBeNull();
    expect(junit.suites.map((s) => s.name)).toEqual(["e2e", "failover", "failover experiments", "load thresholds"]);
    const count = (suite: string, outcome?: ParsedCase["outcome"]) =>
      junit.cases.filter((c) => c.suite === suite && (!outcome || c.outcome === outcome)).length;
    expect([count("e2e"), count("e2e", "failure"), count("e2e", "skipped")]).toEqual([15, 1, 1]);
    expect([count("failover experiments"), count("failover experiments", "failure")]).toEqual([3, 1]);
    expect([count("load thresholds"), count("load thresholds", "failure")]).toEqual([4, 1]);
    for (const suite of junit.suites) {
      expect(Number(suite.tests)).toBe(count(suite.name ?? ""));
      expect(Number(suite.failures)).toBe(count(suite.name ?? "", "failure"));
      expect(Number(suite.skipped)).toBe(count(suite.name ?? "", "skipped"));
    }
    expect(junit.root).toMatchObject({ tests: "25", failures: "4", errors: "0", skipped: "1", time: "312.400" });
    // A skipped test says why, when it said.
    expect(junit.cases.find((c) => c.outcome === "skipped")?.message).toBe("this target has one gateway");
  });

  it("gives each failure a one-line message and the full details", async () => {
    const junit = await parse(toJUnit(realisticSummary()));
    const e2e = junit.cases.find((c) => c.outcome === "failure" && c.suite === "e2e");
    expect(e2e).toMatchObject({
      name: "gateway-status > timeout → 504",
      classname: "e2e.gateway-status",
      message: "AssertionError: expected 503 to be 504 // Object.is equality",
    });
    expect(e2e?.details).toContain('- 504 <Gateway Timeout> & "retry-after"');
    expect(e2e?.details).toContain("gateway-status.test.ts:41:27");
    expect(e2e?.details).not.toContain("\u001b");
    const experiment = junit.cases.find((c) => c.suite === "failover experiments" && c.outcome === "failure");
    expect(experiment?.message).toBe("queue checker: 3 acknowledged messages never read back (middle of the history)");
    expect(experiment?.details).toContain("checkers: lost=3, duplicated=0, unexpected=0, recovered=1");
    const threshold = junit.cases.find((c) => c.suite === "load thresholds" && c.outcome === "failure");
    expect(threshold).toMatchObject({
      name: "nats-request: nats_req_failed rate<0.01",
      message: "nats_req_failed rate<0.01 crossed: actual 0.0132",
    });
  });

  it("escapes whatever a test or an error says so the XML still parses and reads back the same", async () => {
    const hostile = `a <b> & "c" 'd' ]]> \u00e9 😀 tab\there\nsecond line`;
    const summary = minimalSummary({
      verdict: "fail",
      suites: [
        {
          name: `suite "<&>"`,
          verdict: "fail",
          durationMs: 10,
          tests: [
            {
              name: hostile,
              fullName: hostile,
              file: "suites/e2e/x&y.test.ts",
              state: "failed",
              durationMs: 3,
              errors: [
                {
                  message: `${hostile}\u0001\u0008\ud800 bell\u0007`,
                  stack: `Error: ${hostile}\n    at <anonymous> (file.ts:1:1)\u001b[31m red\u001b[39m`,
                },
              ],
            },
          ],
        },
      ],
    });
    const xml = toJUnit(summary);
    const junit = await parse(xml);
    expect(junit.parseError).toBeNull();
    const [only] = junit.cases;
    expect(only?.suite).toBe(`suite "<&>"`);
    expect(only?.name).toBe(hostile);
    expect(only?.message).toBe(`a <b> & "c" 'd' ]]> \u00e9 😀 tab\there`);
    expect(only?.details).toBe(`Error: ${hostile}\n    at <anonymous> (file.ts:1:1) red`);
    for (const forbidden of ["\u0001", "\u0007", "\u0008"]) expect(xml).not.toContain(forbidden);
  });

  it("turns a suite that failed outside its tests into an error testcase, so CI goes red", async () => {
    const junit = await parse(
      toJUnit(minimalSummary({ verdict: "error", suites: [{ name: "e2e", verdict: "error", durationMs: 0, tests: [] }] })),
    );
    expect(junit.cases).toEqual([expect.objectContaining({ name: "e2e (suite error)", outcome: "error" })]);
    expect(junit.root).toMatchObject({ tests: "1", errors: "1", failures: "0" });
  });

  it("writes a valid empty report for a run with nothing in it", async () => {
    const junit = await parse(toJUnit(minimalSummary()));
    expect(junit.parseError).toBeNull();
    expect(junit.root).toMatchObject({ name: "gauntlet run-1 (default)", tests: "0", failures: "0", time: "1.500" });
    expect(junit.cases).toEqual([]);
  });
});
