import { describe, it } from "vitest";
import { EXPERIMENTS_ENV, selectExperiments } from "../../harness/failover/index.ts";
import { expectFinding, expectPass, experiment, failoverContext } from "./support.ts";

/** The experiments of harness/failover/catalog.ts that GAUNTLET_EXPERIMENTS names (default all), one test per run. */
const names = (process.env[EXPERIMENTS_ENV] ?? "all").split(",").filter((name) => name !== "");

for (const entry of selectExperiments(names, EXPERIMENTS_ENV)) {
  describe(entry.title, () => {
    for (const run of entry.cases) {
      it(run.should, async () => {
        const spec = typeof run.spec === "function" ? run.spec(await failoverContext()) : run.spec;
        const result = await experiment(spec);
        if (run.expect === "finding") expectFinding(result);
        else expectPass(result);
      });
    }
  });
}
