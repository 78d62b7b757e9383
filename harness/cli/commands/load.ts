import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DURATION_EXAMPLES, parseDuration } from "../../../lib/duration/index.ts";
import { GauntletError } from "../../../lib/errors/index.ts";
import { parseAgentsSpec, startAgents } from "../../load/agents/index.ts";
import { findScenario, runLoad, scenarioNames } from "../../load/index.ts";
import { resolveTargetFile } from "../../providers/index.ts";
import { type RunningStack, startStack } from "../../stack/index.ts";
import { TaskList } from "../../ui/index.ts";
import type { Command, ParsedOptions } from "../command.ts";
import { optionalString, parseCount } from "../options.ts";
import { readSecret } from "../secret-option.ts";
import {
  fleetChoice,
  natsServerOption,
  nodesOption,
  providerOptions,
  refuseNatsVersionWithTarget,
  stackOptionSpec,
  stackOptionUsage,
} from "../stack-options.ts";

const list = (value: ParsedOptions[string]): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/** A scenario given by name (suites/load/<name>.ts) or by path. */
function resolveScenario(name: string): string {
  const found = findScenario(name);
  if (found) return found;
  throw new GauntletError(`scenario '${name}': no such file, and suites/load has ${scenarioNames().join(", ")}`);
}

function readPem(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new GauntletError(`--agent-ca ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new GauntletError(`--env ${JSON.stringify(pair)}: expected KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

export const command: Command = {
  name: "load",
  summary: "run a load scenario (suites/load/<scenario>.ts) against a target; exit 99 when a threshold fails",
  usage: `Usage: gauntlet load <scenario> --target FILE [--rate R] [--duration D] [--out DIR]

Runs a load scenario: a name from suites/load (nats-request-reply, jetstream-ingest,
kv-read-write, saturation, gateway-mixed, gateway-story, gateway-events) or a path to
a .ts module exporting k6-style 'options' and an iteration function. Without --target:
starts a local stack, runs the scenario against it (sampling its processes' CPU and RSS),
stops it.

  --target FILE    run against that system instead of a local stack
  --rate R         arrivals per second (constant-arrival-rate; scales a ramp's peak)
  --duration D     e.g. 30s, 2m (constant executors; scales a ramp's stages)
  --vus N          virtual users (constant-vus and per-vu-iterations; an arrival-rate's maxVUs)
  --out DIR        write load.json (series, histograms, thresholds, resources) there
  --workers N      worker threads (default: one per core; with --agents, per local agent)
  --agents SPEC    split the load over agents, merging their results exactly: N or local:N
                   ('gauntlet agent' processes on this machine), or ws[s]://host:port,… (agents
                   started by hand with 'gauntlet agent'); each agent's share is in the summary
  --agent-token-file FILE
                   the token remote agents were started with, in a file (else GAUNTLET_AGENT_TOKEN;
                   never on the command line, where ps shows it)
  --agent-ca FILE  PEM CA of wss:// agents' certificates
  --agents ecs:N   N agents as ECS tasks of --agent-image IMAGE (Gauntlet's image: entry point 'gauntlet')
                   in the aws target's ecs.cluster, on its gateway service's network (or --ecs-cluster,
                   --ecs-subnets a,b, --ecs-security-groups sg); stopped (StopTask) when the run ends
  --pid PID        sample CPU and RSS of this local process (repeatable)
  --env KEY=VALUE  passed to the scenario as ctx.env (repeatable)
${stackOptionUsage}

Exit 0 when every threshold holds, 99 when one fails (as k6), 1 when an agent was lost during
the run, 2 when the run cannot start.`,
  allowPositionals: true,
  options: {
    ...stackOptionSpec,
    target: { type: "string" },
    rate: { type: "string" },
    duration: { type: "string" },
    vus: { type: "string" },
    out: { type: "string" },
    workers: { type: "string" },
    pid: { type: "string", multiple: true },
    env: { type: "string", multiple: true },
    agents: { type: "string" },
    "agent-token": { type: "string" },
    "agent-token-file": { type: "string" },
    "agent-ca": { type: "string" },
    "agent-image": { type: "string" },
    "ecs-cluster": { type: "string" },
    "ecs-subnets": { type: "string" },
    "ecs-security-groups": { type: "string" },
  },
  async run(options, positionals, context) {
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new GauntletError(`expected exactly one scenario, got ${positionals.length}\n\n${command.usage}`);
    const targetFile = optionalString(options.target);
    const rateText = optionalString(options.rate);
    const rate = rateText === undefined ? undefined : Number(rateText);
    if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
      throw new GauntletError(`--rate must be a positive number, got ${JSON.stringify(rateText)}`);
    const durationText = optionalString(options.duration);
    const duration = durationText === undefined ? undefined : parseDuration(durationText);
    if (durationText !== undefined && !duration)
      throw new GauntletError(`--duration must be a duration like ${DURATION_EXAMPLES}, got ${JSON.stringify(durationText)}`);
    const pids = list(options.pid).map((pid) => {
      const n = Number(pid);
      if (!Number.isInteger(n) || n < 1) throw new GauntletError(`--pid must be a process id, got ${JSON.stringify(pid)}`);
      return n;
    });
    const scenario = resolveScenario(name);
    const env = parseEnv(list(options.env));
    const given = targetFile === undefined ? undefined : await resolveTargetFile(targetFile);
    refuseNatsVersionWithTarget(options, given);
    const stackChoice = given
      ? undefined
      : {
          ...providerOptions(options),
          nodes: nodesOption(options),
          fleet: fleetChoice(options),
          tls: Boolean(options.tls),
          syncAlways: Boolean(options["sync-always"]),
          diskFaults: Boolean(options["disk-faults"]),
        };
    const vusText = optionalString(options.vus);
    const vus = vusText !== undefined ? parseCount("--vus", vusText, 1) : undefined;
    const workersText = optionalString(options.workers);
    const workers = workersText !== undefined ? parseCount("--workers", workersText, 1) : undefined;
    const agentsText = optionalString(options.agents);
    const caFile = optionalString(options["agent-ca"]);
    const token = readSecret(options, { refusedFlag: "--agent-token", fileFlag: "--agent-token-file", env: "GAUNTLET_AGENT_TOKEN" });
    await using agents = agentsText
      ? await startAgents(parseAgentsSpec(agentsText), {
          ...(workers !== undefined ? { workers } : {}),
          ...(token !== undefined ? { token } : {}),
          ...(caFile !== undefined ? { ca: readPem(caFile) } : {}),
          ecs: {
            targetFile,
            image: optionalString(options["agent-image"]),
            cluster: optionalString(options["ecs-cluster"]),
            subnets: optionalString(options["ecs-subnets"])?.split(","),
            securityGroups: optionalString(options["ecs-security-groups"])?.split(","),
          },
          progress: (line) => context.stderr.write(`${line}\n`),
          signal: context.signal,
        })
      : undefined;
    let stack: RunningStack | undefined;
    try {
      if (stackChoice) {
        const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
        stack = await natsServerOption(options, "load", progress, context.signal)
          .then((nats) =>
            startStack({
              ...stackChoice,
              ...(nats ? { natsServer: nats.binary, natsVersion: nats.version } : {}),
              progress,
              signal: context.signal,
            }),
          )
          .finally(() => progress.finish());
      }
      const target = given ?? (await resolveTargetFile((stack as RunningStack).targetFile));
      const result = await runLoad({
        scenario,
        target,
        ...(rate !== undefined ? { rate } : {}),
        ...(duration !== undefined ? { duration } : {}),
        ...(vus !== undefined ? { vus } : {}),
        ...(workers !== undefined ? { workers } : {}),
        ...(agents ? { generators: agents.generators } : {}),
        pids: [...new Set([...pids, ...(stack?.pids ?? [])])],
        env,
        progress: context.stderr,
        signal: context.signal,
        ...(optionalString(options.out) ? { outDir: resolve(optionalString(options.out) as string) } : {}),
      });
      if (result.report !== undefined) context.stdout.write(`report ${JSON.stringify(result.report, null, 2)}\n`);
      if (context.signal.aborted) return 130;
      return result.exitCode;
    } catch (error) {
      if (error instanceof GauntletError) throw error;
      throw new GauntletError(`load ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      await stack?.stop();
    }
  },
};
