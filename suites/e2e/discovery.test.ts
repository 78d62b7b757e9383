import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { suiteManifest } from "../support/manifest.ts";
import { connectTarget, suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
let nc: NatsConnection | undefined;
afterAll(() => nc?.close());

/** Every answer to one `$SRV.<verb>` broadcast within `windowMs`. */
async function broadcast<T>(verb: string, windowMs = 750): Promise<T[]> {
  nc ??= await connectTarget(target);
  const inbox = createInbox();
  const answers: T[] = [];
  const sub = nc.subscribe(inbox, {
    callback: (_error, msg) => {
      if (msg.data.length > 0) answers.push(msg.json<T>());
    },
  });
  nc.publish(`$SRV.${verb}`, "", { reply: inbox });
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  sub.unsubscribe();
  return answers;
}

describe("$SRV discovery", () => {
  it("finds every manifest service with at least its replica count, and nothing unexpected", async () => {
    const pings = await broadcast<{ name: string; id: string; version: string }>("PING");
    const instances = new Map<string, Set<string>>();
    for (const ping of pings) instances.set(ping.name, (instances.get(ping.name) ?? new Set()).add(ping.id));
    const short = manifest.services
      .filter((service) => (instances.get(service.name)?.size ?? 0) < service.replicas)
      .map((service) => `${service.name}: ${instances.get(service.name)?.size ?? 0}/${service.replicas}`);
    expect(short, "services with fewer instances than the manifest's replicas").toEqual([]);
    const known = new Set(manifest.services.map((service) => service.name));
    expect(
      [...instances.keys()].filter((name) => !known.has(name)),
      "services not in the manifest",
    ).toEqual([]);
  });

  it("reports each service's manifest version and endpoint subjects in $SRV.INFO", async () => {
    const infos = await broadcast<{ name: string; version: string; endpoints: Array<{ name: string; subject: string }> }>("INFO");
    for (const service of manifest.services) {
      const info = infos.find((candidate) => candidate.name === service.name);
      expect(info, `${service.name} answers $SRV.INFO`).toBeDefined();
      expect(info?.version).toBe(service.version);
      const subjects = Object.fromEntries((info?.endpoints ?? []).map((endpoint) => [endpoint.name, endpoint.subject]));
      expect(subjects).toEqual(Object.fromEntries(service.endpoints.map((endpoint) => [endpoint.name, endpoint.subject])));
    }
  });

  it("answers $SRV.STATS with per-endpoint request counts", async () => {
    const stats = await broadcast<{ name: string; endpoints: Array<{ name: string; num_requests: number }> }>("STATS");
    expect(new Set(stats.map((entry) => entry.name))).toEqual(new Set(manifest.services.map((service) => service.name)));
    expect(stats.every((entry) => entry.endpoints.every((endpoint) => Number.isInteger(endpoint.num_requests)))).toBe(true);
  });
});
