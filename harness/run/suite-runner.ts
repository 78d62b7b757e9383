import { relative } from "node:path";
import type { TestModule, Vitest } from "vitest/node";
import { startVitest } from "vitest/node";
import type { SuiteResult, TestResult } from "../record/index.ts";

export interface SuiteRunOptions {
  readonly name: string;
  readonly repoRoot: string;
  readonly include: readonly string[];
  /** Passed to the suite's test files as environment variables (e.g. GAUNTLET_TARGET). */
  readonly env: Record<string, string>;
  readonly signal?: AbortSignal;
}

function toTestResult(repoRoot: string, module: TestModule): TestResult[] {
  return [...module.children.allTests()].map((test) => {
    const result = test.result();
    const diagnostic = test.diagnostic();
    const state = result.state === "passed" || result.state === "failed" ? result.state : "skipped";
    return {
      name: test.name,
      fullName: test.fullName,
      file: relative(repoRoot, module.moduleId),
      state,
      durationMs: Math.round(diagnostic?.duration ?? 0),
      errors: (result.state === "failed" ? result.errors : []).map((error) => ({
        message: error.message,
        ...(error.stack ? { stack: error.stack } : {}),
      })),
      ...(result.state === "skipped" && result.note ? { note: result.note } : {}),
    };
  });
}

/** Runs one suite's vitest files in-process and turns the outcome into the run record's shape. */
export async function runSuite(options: SuiteRunOptions): Promise<SuiteResult> {
  const startedAt = performance.now();
  let vitest: Vitest | undefined;
  const modules: TestModule[] = [];
  const collector = {
    onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
      modules.push(...testModules);
    },
  };
  const abort = () => void vitest?.cancelCurrentRun("keyboard-input");
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    vitest = await startVitest(
      "test",
      [],
      {
        root: options.repoRoot,
        include: [...options.include],
        watch: false,
        env: options.env,
        reporters: ["default", collector],
        passWithNoTests: false,
        config: false,
        testTimeout: 120_000,
        hookTimeout: 120_000,
        pool: "forks",
        fileParallelism: false,
      },
      {},
    );
    await vitest.close();
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
  const tests = modules.flatMap((module) => toTestResult(options.repoRoot, module));
  const crashed = modules.some((module) => module.state() === "failed" && [...module.children.allTests()].length === 0);
  const failed = tests.some((test) => test.state === "failed");
  return {
    name: options.name,
    verdict: crashed || modules.length === 0 ? "error" : failed ? "fail" : "pass",
    durationMs: Math.round(performance.now() - startedAt),
    tests,
  };
}
