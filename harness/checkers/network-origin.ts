import { type History, PROBE, PROBE_PROCESS } from "../history/index.ts";

function experimentValue(history: History): { fault?: string; network?: string } | undefined {
  return history.find((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.experiment)?.value as
    | { fault?: string; network?: string }
    | undefined;
}

/** True when the experiment's fault cut links between nodes (a partition or an isolation). */
export function faultCutLinks(history: History): boolean {
  return /partition|isolate/.test(experimentValue(history)?.fault ?? "");
}

/**
 * What a replica left behind after a heal means on the network the partition was made with
 * (the experiment's `network`): on the kernel network a nats-server finding; through the route
 * proxies not yet one. Empty for a history that does not say.
 */
export function onWhichNetwork(history: History): string {
  const network = experimentValue(history)?.network;
  if (network === "kernel")
    return " — a nats-server finding: the partition was iptables DROP between network namespaces, no proxy in between (evidence/ and logs/ of the run record hold every node's /jsz, /routez and log)";
  if (network === "proxy")
    return " — seen through Gauntlet's route proxies: re-run on the kernel network (--network kernel, as root) before calling it a nats-server finding";
  return "";
}
