import {
  type ExperimentContext,
  type ExperimentResult,
  type ExperimentSpec,
  experimentTarget,
  type GatewayCall,
  runExperiment,
  unavailabilityText,
} from "../../harness/failover/index.ts";
import { recordExperiment } from "../../harness/record/index.ts";
import type { Manifest } from "../../services/manifest/index.ts";
import { suiteManifest } from "../support/manifest.ts";
import { suiteTarget } from "../support/target.ts";

function pickGatewayCall(manifest: Manifest): { call: GatewayCall; service: string } | undefined {
  const service =
    manifest.services.find((candidate) => candidate.behaviour === "stand-in" && candidate.calls.length === 0 && candidate.replicas > 1) ??
    manifest.services.find((candidate) => candidate.calls.length === 0);
  const endpoint = service?.endpoints[0];
  if (!service || !endpoint) return undefined;
  return {
    service: service.name,
    call: {
      path: `/v1/${service.name}/${endpoint.name}`,
      body: endpoint.samples[0] ?? {},
      timeoutMs: Math.max(5_000, endpoint.timeoutMs + 1_000),
    },
  };
}

let context: Promise<ExperimentContext> | undefined;

/** The target of GAUNTLET_TARGET as experiments see it (loaded once). */
export function failoverContext(): Promise<ExperimentContext> {
  context ??= (async () => {
    const target = await suiteTarget();
    const picked = target.gateway ? pickGatewayCall(await suiteManifest(target)) : undefined;
    return { target: await experimentTarget(target), gatewayCall: picked?.call, service: picked?.service };
  })();
  return context;
}

const seed = () => {
  const text = process.env.GAUNTLET_SEED;
  return text && /^\d+$/.test(text) ? Number(text) : 1;
};

/**
 * Runs one experiment against the suite's target with gateway traffic, and records it in the run
 * record ($GAUNTLET_RUN_DIR: history.jsonl and failover.json) when there is one.
 */
export async function experiment(spec: ExperimentSpec): Promise<ExperimentResult> {
  const { target, gatewayCall } = await failoverContext();
  const result = await runExperiment(
    target,
    { ...spec, ...(spec.gateway === false || !gatewayCall ? {} : { gateway: gatewayCall }) },
    { seed: seed(), onProgress: (message) => process.stderr.write(`  ${message}\n`) },
  );
  const runDir = process.env.GAUNTLET_RUN_DIR;
  if (runDir) recordExperiment(runDir, result);
  return result;
}

/** Fails with the verdict's reason (naming each cause) unless every checker passed. */
export function expectPass(result: ExperimentResult): void {
  const { verdict } = result;
  const figures = `${unavailabilityText("JetStream", verdict.maxUnavailableMs, verdict.resolution.jetstream)}, ${unavailabilityText("gateway", verdict.gatewayUnavailableMs, verdict.resolution.gateway)}`;
  process.stderr.write(`  ${verdict.experiment}: ${verdict.verdict} — ${verdict.reason}; ${figures}\n`);
  for (const warning of verdict.warnings) process.stderr.write(`  warning: ${warning}\n`);
  if (verdict.verdict !== "pass") throw new Error(`${verdict.experiment} (${verdict.fault}): ${verdict.reason}`);
}

/**
 * A demonstration's finding (a fault window in which no publish was acknowledged) as the test's
 * failure: it always fails, with the finding, or with why the finding did not show.
 */
export function expectFinding(result: ExperimentResult): never {
  const { verdict } = result;
  if (verdict.verdict === "error") throw new Error(`${verdict.experiment}: ${verdict.reason}`);
  const finding = verdict.results.windows;
  if (finding?.valid === false) throw new Error(`${finding.reason}; lost ${verdict.counts.lost} acknowledged`);
  throw new Error(
    `finding: expected ${verdict.experiment} to be unavailable while the fault lasted, yet the checks say: ${verdict.reason} — is the stream really R1?`,
  );
}
