import { describe, it } from "vitest";
import { EXPERIMENTS_ENV, selectExperiments } from "../../harness/failover/index.ts";
import { Nemesis } from "../../harness/nemesis/index.ts";
import { expectFinding, expectPass, experiment, failoverContext } from "./support.ts";

/**
 * The experiments of harness/failover/catalog.ts that GAUNTLET_EXPERIMENTS names (default all), one
 * test per run. Under `all`, one whose fault the target cannot take is skipped with the reason; one
 * asked for by name reports it as an error.
 */
const names = (process.env[EXPERIMENTS_ENV] ?? "all").split(",").filter((name) => name !== "");
const skipsWhatCannotRun = names.includes("all");

for (const entry of selectExperiments(names, EXPERIMENTS_ENV)) {
  describe(entry.title, () => {
    for (const run of entry.cases) {
      it(run.should, async (test) => {
        const context = await failoverContext();
        const spec = typeof run.spec === "function" ? run.spec(context) : run.spec;
        const nemesis = context.target.nemesis;
        const cannot = spec.fault.kind !== "none" && nemesis ? new Nemesis(nemesis).unsupported(spec.fault) : undefined;
        if (skipsWhatCannotRun && cannot) return test.skip(`${spec.fault.kind} cannot be injected into this target: ${cannot}`);
        const result = await experiment(spec);
        if (run.expect === "finding") expectFinding(result);
        else expectPass(result);
      });
    }
  });
}
