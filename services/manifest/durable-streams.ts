import type { Manifest } from "./types.ts";

/** The JetStream streams the manifest marks durable, KV buckets by their stream name `KV_<bucket>`. */
export function durableStreams(manifest: Manifest): string[] {
  return manifest.services.flatMap((service) => [
    ...service.streams.filter((stream) => stream.durable).map((stream) => stream.name),
    ...service.kv.filter((kv) => kv.durable).map((kv) => `KV_${kv.bucket}`),
  ]);
}
