import { createConnection, createServer, type Server, type Socket } from "node:net";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "./aws-clients.ts";

/** Where a target (an instance of the target group) listens: its node's client address. */
export interface TwinTargetAddress {
  readonly host: string;
  readonly port: number;
}

/** One client's connection through the listener to one target. */
interface Flow {
  readonly client: Socket;
  readonly upstream: Socket;
}

/** One thing the balancer did, as it happens. */
export interface LoadBalancerEvent {
  readonly instance: string;
  readonly what: string;
}

/**
 * The AWS twin's network load balancer, data plane: a TCP listener on loopback that forwards each
 * new connection to the next target registered in the target group (round robin, a target that
 * refuses skipped as a failed health check would), the registrations read from the control plane
 * (ELBv2 DescribeTargetHealth). A target that is deregistered has every connection through it
 * closed at once, as an NLB with connection termination on deregistration does, so its clients
 * reconnect through the listener to a target still registered.
 */
export class TwinLoadBalancer implements AsyncDisposable {
  readonly #clients: AwsClients;
  readonly #targetGroupArn: string;
  readonly #addresses: ReadonlyMap<string, TwinTargetAddress>;
  readonly #onEvent: (event: LoadBalancerEvent) => void;
  readonly #flows = new Map<string, Set<Flow>>();
  /** Every client socket the listener holds, dialled through or not yet. */
  readonly #accepted = new Set<Socket>();
  readonly #server: Server;
  #registered: string[] = [];
  #next = 0;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #url = "";

  constructor(
    clients: AwsClients,
    options: {
      targetGroupArn: string;
      /** Instance id → its node's client address. */
      addresses: ReadonlyMap<string, TwinTargetAddress>;
      onEvent?: (event: LoadBalancerEvent) => void;
    },
  ) {
    this.#clients = clients;
    this.#targetGroupArn = options.targetGroupArn;
    this.#addresses = options.addresses;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#server = createServer((client) => this.#accept(client));
  }

  /** `nats://127.0.0.1:PORT`: what clients that come through the balancer dial. */
  get url(): string {
    return this.#url;
  }

  /** Instance ids registered in the target group, as last read. */
  get registered(): readonly string[] {
    return this.#registered;
  }

  /** Connections through the listener now, by target instance. */
  connections(): Map<string, number> {
    return new Map([...this.#flows].map(([instance, flows]) => [instance, flows.size]));
  }

  /** Reads the registrations, then listens; the registrations are read again every `intervalMs`. */
  async start(intervalMs = 250): Promise<this> {
    await this.refresh();
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
    });
    const address = this.#server.address();
    this.#url = `nats://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    this.#timer = setInterval(() => {
      this.#refreshing ??= this.refresh()
        // moto briefly busy: the next tick reads the registrations again
        .catch(() => {})
        .finally(() => {
          this.#refreshing = undefined;
        });
    }, intervalMs);
    return this;
  }

  /** Reads the target group's registrations; every connection to a target no longer registered is closed. */
  async refresh(): Promise<void> {
    const health = await this.#clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: this.#targetGroupArn }));
    const registered = (health.TargetHealthDescriptions ?? [])
      .filter((description) => description.TargetHealth?.State !== "draining")
      .map((description) => description.Target?.Id ?? "")
      .filter((id) => this.#addresses.has(id));
    for (const [instance, flows] of this.#flows) {
      if (registered.includes(instance) || flows.size === 0) continue;
      this.#onEvent({ instance, what: `deregistered: ${flows.size} connection(s) through the listener closed` });
      for (const flow of flows) this.#close(flow);
      flows.clear();
    }
    this.#registered = registered;
  }

  #accept(client: Socket): void {
    this.#accepted.add(client);
    client.on("error", () => {});
    client.once("close", () => this.#accepted.delete(client));
    const order = this.#registered.map((_, index) => this.#registered[(this.#next + index) % this.#registered.length] as string);
    this.#next += 1;
    const dial = (candidates: readonly string[]): void => {
      const [instance, ...rest] = candidates;
      const address = instance === undefined ? undefined : this.#addresses.get(instance);
      if (instance === undefined || !address || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: address.host, port: address.port });
      const flow = { client, upstream };
      let connected = false;
      upstream.on("error", () => {
        if (connected) this.#close(flow);
        else dial(rest);
      });
      upstream.once("connect", () => {
        connected = true;
        if (!this.#registered.includes(instance) || client.destroyed) {
          this.#close(flow);
          return;
        }
        const flows = this.#flows.get(instance) ?? new Set<Flow>();
        flows.add(flow);
        this.#flows.set(instance, flows);
        const forget = () => {
          flows.delete(flow);
          this.#close(flow);
        };
        client.once("close", forget);
        upstream.once("close", forget);
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    dial(order);
  }

  #close(flow: Flow): void {
    flow.client.destroy();
    flow.upstream.destroy();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#refreshing;
    for (const flows of this.#flows.values()) for (const flow of flows) this.#close(flow);
    this.#flows.clear();
    for (const client of this.#accepted) client.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
