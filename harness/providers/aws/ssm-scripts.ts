/**
 * The shell each process-level fault runs on an instance through SSM Run Command
 * (AWS-RunShellScript). Every fault script schedules its own undo with a dead-man timer
 * (systemd-run --on-active), so a harness that dies mid-fault still heals; the heal
 * script cancels the timer. The first line names the action and the instance for the AWS
 * twin, which carries it out on the local node instead of running shell (moto records every
 * command against all instances, so the target must travel in the command itself).
 */
export type NodeAction = "kill" | "lame-duck" | "start" | "pause" | "resume" | "partition" | "heal-partition";

const SERVICE = "nats-server";

function deadMan(unit: string, seconds: number, command: string): string {
  return `systemd-run --unit=${unit} --on-active=${Math.ceil(seconds)}s /bin/sh -c '${command}'`;
}

export interface ScriptOptions {
  readonly instance: string;
  /** Seconds after which the fault undoes itself if no heal came. */
  readonly deadManSeconds: number;
  /** Peers' private IPs (partition). */
  readonly peers?: readonly string[];
}

export function actionOf(commands: readonly string[]): NodeAction | undefined {
  return commands[0]?.match(/^# gauntlet:(\S+)/)?.[1] as NodeAction | undefined;
}

export function peersOf(commands: readonly string[]): string[] {
  return commands[0]?.match(/peers=(\S+)/)?.[1]?.split(",") ?? [];
}

export function instanceOf(commands: readonly string[]): string | undefined {
  return commands[0]?.match(/instance=(\S+)/)?.[1];
}

export function nodeScript(action: NodeAction, options: ScriptOptions): string[] {
  const heal = "gauntlet-heal";
  const rules = (verb: "-I" | "-D") =>
    (options.peers ?? []).flatMap((peer) => [`iptables ${verb} INPUT -s ${peer} -j DROP`, `iptables ${verb} OUTPUT -d ${peer} -j DROP`]);
  const header = `# gauntlet:${action} instance=${options.instance}${options.peers?.length ? ` peers=${options.peers.join(",")}` : ""}`;
  switch (action) {
    case "kill":
      return [header, `pkill -KILL -x ${SERVICE}`, deadMan(heal, options.deadManSeconds, `systemctl start ${SERVICE}`)];
    case "lame-duck":
      return [header, `${SERVICE} --signal ldm`, deadMan(heal, options.deadManSeconds, `systemctl start ${SERVICE}`)];
    case "start":
      return [header, `systemctl stop ${heal}.timer || true`, `systemctl start ${SERVICE}`];
    case "pause":
      return [header, `pkill -STOP -x ${SERVICE}`, deadMan(heal, options.deadManSeconds, `pkill -CONT -x ${SERVICE}`)];
    case "resume":
      return [header, `systemctl stop ${heal}.timer || true`, `pkill -CONT -x ${SERVICE}`];
    case "partition":
      return [header, ...rules("-I"), deadMan(heal, options.deadManSeconds, rules("-D").join("; "))];
    case "heal-partition":
      return [header, `systemctl stop ${heal}.timer || true`, ...rules("-D").map((rule) => `${rule} || true`)];
  }
}
