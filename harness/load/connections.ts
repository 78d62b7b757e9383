import { readFileSync } from "node:fs";
import type { SecureContext } from "node:tls";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { LoadError } from "./errors.ts";
import { type Abortable, OriginClient, trustingCa } from "./http/index.ts";
import { JsPublisher, msgIdHeaders } from "./js-publisher.ts";
import { PublishBatch } from "./publish-batch.ts";
import type { LoadTarget } from "./target.ts";

/** Connections of one worker: HTTP keep-alive clients (per VU and origin), one NATS connection shared by its VUs. */
export class Connections {
  readonly #target: LoadTarget;
  #clients: OriginClient[] = [];
  #nats: Promise<NatsConnection> | undefined;
  /** The connection once established, for the synchronous publish path. */
  connected: NatsConnection | undefined;
  #batch: PublishBatch | undefined;
  #jsPublisher: JsPublisher | undefined;
  #flushScheduled = false;
  #js: JetStreamClient | undefined;
  readonly #kvs = new Map<string, Promise<KV>>();
  /** Trusts the CA of the target's https gateways, when it is a private one. */
  readonly #secureContext: SecureContext | undefined;

  constructor(target: LoadTarget) {
    this.#target = target;
    const caFile = target.gateway?.tls?.ca;
    this.#secureContext = caFile ? trustingCa(readFileSync(caFile, "utf8")) : undefined;
  }

  /**
   * A keep-alive HTTP client for one VU and one origin. As in k6, each VU has its own
   * connections: a VU reuses its connection iteration after iteration, and requests it makes in
   * parallel open more.
   */
  http(origin: string, inflight: Set<Abortable>): OriginClient {
    const client = new OriginClient(origin, inflight, this.#secureContext);
    this.#clients.push(client);
    return client;
  }

  nats(): Promise<NatsConnection> {
    if (!this.#nats) {
      const nats = this.#target.nats;
      if (!nats || nats.servers.length === 0) throw new LoadError("the scenario uses NATS but the target has no nats.servers");
      this.#nats = connect(natsConnectionOptions(nats, { name: "gauntlet-load" })).then((nc) => {
        this.connected = nc;
        return nc;
      });
    }
    return this.#nats;
  }

  /**
   * Core publishes are encoded into a batch handed to nats.js once per event-loop turn, so they
   * leave in one socket write instead of one each, and cost no per-message string building. Any
   * other NATS operation flushes the batch first, so a VU's operations keep their order.
   */
  publish(nc: NatsConnection, subject: string, data: Uint8Array, headers: MsgHdrs | undefined, reply?: string): void {
    this.#batch ??= new PublishBatch(nc);
    this.#batch.add(subject, data, headers, reply);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flushPublishes());
    }
  }

  flushPublishes(): void {
    this.#flushScheduled = false;
    this.#batch?.flush();
  }

  async jetstream(): Promise<JetStreamClient> {
    this.#js ??= jetstream(await this.nats());
    return this.#js;
  }

  /** The worker's JetStream publisher; its publishes ride the same batched writes as core publishes. */
  async jsPublisher(): Promise<JsPublisher> {
    if (!this.#jsPublisher) {
      const nc = await this.nats();
      this.#jsPublisher ??= new JsPublisher(nc, (subject, data, reply, msgID) =>
        this.publish(nc, subject, data, msgIdHeaders(msgID), reply),
      );
    }
    return this.#jsPublisher;
  }

  kv(bucket: string): Promise<KV> {
    let kv = this.#kvs.get(bucket);
    if (!kv) {
      kv = this.jetstream().then((js) => new Kvm(js).open(bucket));
      this.#kvs.set(bucket, kv);
    }
    return kv;
  }

  async close(): Promise<void> {
    this.flushPublishes();
    this.#jsPublisher?.close();
    for (const client of this.#clients) client.close();
    this.#clients = [];
    const nats = this.#nats;
    this.#nats = undefined;
    await Promise.allSettled([nats?.then((nc) => nc.drain().catch(() => nc.close()))]);
  }
}
