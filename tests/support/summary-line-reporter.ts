import { relative } from "node:path";
import type { Reporter, TestCase, TestModule } from "vitest/node";

/**
 * Names every test that failed once and passed on its retry (`retry` in vitest.config.ts), then
 * ends the output with the one line CI reads: `N passed, N failed, N skipped`.
 */
export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const flaky: TestCase[] = [];
    for (const module of testModules) {
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) counts.failed += 1;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed += 1;
        else if (state === "failed") counts.failed += 1;
        else counts.skipped += 1;
        if (state === "passed" && test.diagnostic()?.flaky) flaky.push(test);
      }
    }
    for (const test of flaky)
      process.stdout.write(`\nflaky (failed, then passed on retry): ${relative(process.cwd(), test.module.moduleId)} > ${test.fullName}`);
    if (flaky.length > 0) process.stdout.write(`\n${flaky.length} flaky`);
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
