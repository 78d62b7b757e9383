import { type JetStreamManager, jetstreamManager, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import { retry, waitUntil } from "../../lib/retry/index.ts";
import type { Manifest, ManifestKv, ManifestStream } from "../manifest/types.ts";
import { FleetError } from "./fleet-error.ts";

/**
 * Create or update every stream and KV bucket the manifest declares (idempotent). Right after a
 * cluster forms, the meta leader may not be elected yet, so each one is retried a few times.
 */
export async function provisionJetStream(nc: NatsConnection, manifest: Manifest): Promise<void> {
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  for (const service of manifest.services) {
    for (const stream of service.streams)
      await withRetries(`create stream ${stream.name} (R${stream.replicas})`, () => ensureStream(jsm, stream));
    for (const kv of service.kv) await withRetries(`create KV bucket ${kv.bucket} (R${kv.replicas})`, () => ensureBucket(nc, jsm, kv));
  }
  const names = manifest.services.flatMap((s) => [...s.streams.map((stream) => stream.name), ...s.kv.map((kv) => `KV_${kv.bucket}`)]);
  await Promise.all(names.map((name) => waitForLeader(jsm, name)));
}

/** A stream answers only once its replicas elected a leader; services that start before then see "no responders". */
async function waitForLeader(jsm: JetStreamManager, name: string): Promise<void> {
  await waitUntil(
    async () => {
      const info = await jsm.streams.info(name);
      return info.cluster?.leader || (info.config.num_replicas ?? 1) === 1 ? true : undefined;
    },
    { what: `stream ${name} to elect a leader`, attempts: 100, intervalMs: 100 },
  );
}

async function ensureStream(jsm: JetStreamManager, stream: ManifestStream): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: stream.name,
    subjects: stream.subjects,
    num_replicas: stream.replicas,
    storage: stream.storage === "file" ? StorageType.File : StorageType.Memory,
    duplicate_window: nanos(stream.duplicateWindowMs),
  };
  const existing = await jsm.streams.info(stream.name).catch(() => undefined);
  if (!existing) {
    await jsm.streams.add(wanted);
    return;
  }
  if (existing.config.storage !== wanted.storage) {
    throw new FleetError(
      `stream ${stream.name} exists with ${existing.config.storage} storage; the manifest wants ${stream.storage} (storage cannot change: delete the stream first)`,
    );
  }
  await jsm.streams.update(stream.name, { ...existing.config, ...wanted });
}

async function ensureBucket(nc: NatsConnection, jsm: JetStreamManager, kv: ManifestKv): Promise<void> {
  const streamName = `KV_${kv.bucket}`;
  const existing = await jsm.streams.info(streamName).catch(() => undefined);
  if (!existing) {
    await new Kvm(nc).create(kv.bucket, { replicas: kv.replicas, history: kv.history });
    return;
  }
  if (existing.config.num_replicas !== kv.replicas || existing.config.max_msgs_per_subject !== kv.history) {
    await jsm.streams.update(streamName, { ...existing.config, num_replicas: kv.replicas, max_msgs_per_subject: kv.history });
  }
}

/** A meta leader still being elected fails the call: try again, a little later each time (about 7 s in all). */
function withRetries(what: string, work: () => Promise<void>): Promise<void> {
  return retry(work, {
    what,
    attempts: 8,
    intervalMs: (attempt) => Math.min(250 * attempt, 1_500),
    retryIf: (error) => !(error instanceof FleetError),
  });
}
