import { $ } from "zx";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** A shell command (zx `$`, the command quoted as one `sh -c` argument) with its exit code and output judged. */
export async function processProbe(spec: NonNullable<Probe["process"]>, context: ProbeContext): Promise<ProbeResult> {
  const env = {
    ...process.env,
    GAUNTLET_NATS_URL: context.target.nats.servers.join(","),
    GAUNTLET_MONITORING_URL: context.target.nats.monitoring.join(","),
    GAUNTLET_GATEWAY_URL: context.target.gateway?.urls.join(",") ?? "",
  };
  const output = await $({ nothrow: true, quiet: true, timeout: spec.timeout, env, signal: context.signal })`sh -c ${spec.command}`;
  const code = output.exitCode ?? -1;
  const text = output.stdout.trim();
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  if (code !== spec.exit_code)
    return deviated(
      code,
      `exit ${code}${output.signal ? ` (${output.signal}, timeout ${spec.timeout} ms?)` : ""}, expected ${spec.exit_code}${shown ? `: ${shown}` : ""}`,
    );
  if (spec.output_contains !== undefined && !output.stdout.includes(spec.output_contains))
    return deviated(code, `output lacks ${JSON.stringify(spec.output_contains)}${shown ? `: ${shown}` : ""}`);
  return held(code, `exit ${code}${shown ? `: ${shown}` : ""}`);
}
