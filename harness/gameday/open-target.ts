import { readTargetFile, type Target } from "../config/index.ts";
import { experimentTarget } from "../failover/index.ts";
import type { NemesisTarget } from "../nemesis/index.ts";
import { readStreamPlacement } from "../safety/index.ts";

/** What a game day acts on: the handles, the services the target runs, and the levers only some providers have. */
export interface GameDayTarget extends AsyncDisposable {
  readonly nemesis: NemesisTarget | undefined;
  /** Why nothing can be faulted, when `nemesis` is undefined. */
  readonly unfaultable: string | undefined;
  readonly services: Readonly<Record<string, number>>;
  readonly kind: "control" | "aws" | "observed";
  /** Sets how long a fault sent from now on may outlive this process before the system undoes it (dead-man). */
  setDeadMan(ms: number | undefined): void;
  /** CloudWatch alarms in ALARM among `names` (aws targets). */
  alarmsFiring(names: readonly string[]): Promise<string[]>;
  /** Every AWS call made so far (aws targets). */
  awsCalls(): { service: string; operation: string; outcome: string; at: string }[];
  /** Monitoring URLs of the nodes registered in the load balancer's target groups now (aws targets with an NLB). */
  nlbTargets(): Promise<ReadonlySet<string> | undefined>;
}

/** A node's name by its monitoring URL, from the handles; the URL's host for a node they do not list. */
export function nodeNamer(target: GameDayTarget): (monitoringUrl: string) => string {
  return (url) => target.nemesis?.nodes.find((node) => node.monitoringUrl === url)?.name ?? new URL(url).host;
}

/**
 * Opens a target for a game day: a stack a harness runs through its control API (with the
 * dead-man lease), an aws target through the AWS SDK (mutating calls only with `execute`), or a
 * system someone else runs, which can be observed but not faulted.
 */
export async function openGameDayTarget(target: Target, options: { execute: boolean }): Promise<GameDayTarget> {
  if (target.aws) {
    const { AwsFaults, Journal, openAwsTarget } = await import("../providers/aws/index.ts");
    const { DescribeAlarmsCommand } = await import("@aws-sdk/client-cloudwatch");
    const { DescribeTargetHealthCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    const journal = new Journal();
    const aws = await openAwsTarget(target.file, await readTargetFile(target.file), { execute: options.execute, journal });
    const faults: InstanceType<typeof AwsFaults> = new AwsFaults(aws, {
      placement: () => readStreamPlacement(target.nats, faults.nodes).catch(() => undefined),
    });
    return {
      nemesis: faults,
      unfaultable: undefined,
      // The gateway's ECS service is no NATS micro service: `$SRV.PING` never finds it.
      services: Object.fromEntries(
        (aws.system.ecs?.services ?? [])
          .filter((service) => service.name !== aws.system.ecs?.gatewayService)
          .map((service) => [service.name, service.desired]),
      ),
      kind: "aws",
      setDeadMan: () => {},
      alarmsFiring: async (names) => {
        if (names.length === 0) return [];
        const found = await aws.clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names] }));
        return (found.MetricAlarms ?? []).filter((alarm) => alarm.StateValue === "ALARM").map((alarm) => alarm.AlarmName ?? "?");
      },
      awsCalls: () =>
        journal.entries.map((entry) => ({ service: entry.service, operation: entry.operation, outcome: entry.outcome, at: entry.at })),
      nlbTargets: async () => {
        const groups = aws.system.nlb?.targetGroups;
        if (!groups) return undefined;
        const registered = await Promise.all(
          groups.map((group) => aws.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }))),
        );
        const instances = new Set(
          registered.flatMap((health) => (health.TargetHealthDescriptions ?? []).map((description) => description.Target?.Id)),
        );
        return new Set(faults.nodes.filter((node) => instances.has(node.instance.id)).map((node) => node.monitoringUrl));
      },
      [Symbol.asyncDispose]: async () => {
        await faults.healAll().catch(() => {});
        aws[Symbol.dispose]();
      },
    };
  }
  const opened = await experimentTarget(target);
  return {
    nemesis: opened.nemesis,
    unfaultable: opened.unfaultable,
    services: opened.expectedInstances,
    kind: opened.control ? "control" : "observed",
    setDeadMan: (ms) => {
      if (opened.control) opened.control.healAfterMs = ms;
    },
    alarmsFiring: async () => [],
    awsCalls: () => [],
    nlbTargets: async () => undefined,
    [Symbol.asyncDispose]: async () => {},
  };
}
