import { GauntletError } from "../../../lib/errors/index.ts";
import { readTargetFile } from "../../config/index.ts";
import { openAwsTarget, writeResolvedTarget } from "../../providers/aws/index.ts";
import { paint, renderTable, TaskList } from "../../ui/index.ts";
import { type Command, ExitCode } from "../command.ts";
import { optionalString } from "../options.ts";

export const command: Command = {
  name: "discover",
  summary: "find the system an aws target names (ASG, NLB, ECS) and print or write its addresses",
  usage: `Usage: gauntlet discover --target FILE [--write resolved.yaml] [--json]

Resolves the target's aws section with read-only AWS calls (standard credential chain
and region; aws.endpoint for an emulator): the NATS instances (AZ, state, private IP),
the NLB's target groups and target health, each ECS service's desired/running/pending
counts and task ids, the gateway's URLs. --write saves the resolved plain target, usable
with --target anywhere. With a loopback endpoint (an emulator) no address outside
127.0.0.0/8 is ever contacted or written.
Exit 0 found, 2 could not run.`,
  options: { target: { type: "string" }, write: { type: "string" }, json: { type: "boolean" } },
  async run(options, _positionals, context) {
    const file = optionalString(options.target);
    if (!file) throw new GauntletError("discover: --target FILE is required (a target with an aws section)");
    const raw = await readTargetFile(file);
    if (!raw.aws) throw new GauntletError(`discover: ${file} has no aws section: its addresses are already given`);
    const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
    using aws = await progress
      .run(`discovering ${raw.aws.region}${raw.aws.endpoint ? ` at ${raw.aws.endpoint}` : ""}`, () => openAwsTarget(file, raw))
      .finally(() => progress.finish());
    const { system, resolution, target } = aws;
    const write = optionalString(options.write);
    if (write) writeResolvedTarget(write, target);
    const out = context.stdout;
    if (options.json) {
      out.write(`${JSON.stringify({ target: file, discoveryMs: Math.round(aws.discoveryMs), system, resolved: resolution }, null, 2)}\n`);
      return ExitCode.ok;
    }
    out.write(`Target: ${target.name} — ${system.region}${system.accountId ? `, account ${system.accountId}` : ""}\n\n`);
    if (system.asg)
      out.write(`Auto Scaling group ${system.asg.name}: desired ${system.asg.desired} (min ${system.asg.min}, max ${system.asg.max})\n`);
    const instanceRows = system.instances.map((i) => [i.id, i.name, i.az, i.state, i.lifecycle ?? "-", i.privateIp ?? "-"]);
    out.write(`${renderTable(["instance", "name", "AZ", "state", "ASG", "private IP"], instanceRows)}\n\n`);
    if (system.nlb) {
      out.write(`Load balancer ${system.nlb.name} (${system.nlb.dns})\n`);
      const rows = system.nlb.targetGroups.flatMap((group) =>
        group.targets.map((t) => [
          group.name,
          t.id,
          String(t.port ?? "-"),
          t.health === "healthy" ? t.health : paint(out, "red", t.health),
        ]),
      );
      out.write(`${renderTable(["target group", "target", "port", "health"], rows)}\n\n`);
    }
    if (system.ecs) {
      out.write(`ECS cluster ${system.ecs.cluster}: ${system.ecs.services.length} services\n`);
      const rows = system.ecs.services.map((s) => [
        s.name,
        String(s.desired),
        s.running === s.desired ? String(s.running) : paint(out, "red", String(s.running)),
        String(s.pending),
        s.tasks.map((task) => task.id.slice(0, 8)).join(" "),
      ]);
      out.write(`${renderTable(["service", "desired", "running", "pending", "tasks"], rows)}\n\n`);
    }
    out.write(`NATS: ${target.nats.servers.join(" ") || "(no serving instance)"}\n`);
    out.write(`gateway: ${target.gateway?.urls.join(" ") ?? "(none)"}\n`);
    for (const address of resolution.notContacted) out.write(`${paint(out, "yellow", "not contacted")} ${address}: outside 127.0.0.0/8\n`);
    out.write(`discovered in ${(aws.discoveryMs / 1000).toFixed(2)} s${write ? `; resolved target written to ${write}` : ""}\n`);
    return ExitCode.ok;
  },
};
