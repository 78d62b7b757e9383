import { GenericContainer } from "testcontainers";
import { GAUNTLET_LABEL } from "./labels.ts";

export interface PublishedPort {
  readonly container: number;
  readonly host: number;
}

/** A container of a Gauntlet stack: labelled with the stack's id, ports published on 127.0.0.1 only, a fixed address on the stack's network. */
export class GauntletContainer extends GenericContainer {
  constructor(image: string, stackId: string) {
    super(image);
    // Gauntlet's crash guard reaps by label; testcontainers' own reaper (Ryuk) is not wanted.
    this.withLabels({ [GAUNTLET_LABEL]: stackId }).withAutoCleanup(false);
  }

  /** Fixed host ports (a restarted container keeps its URLs), bound to loopback: nothing outside the machine reaches them. */
  withLoopbackPorts(...ports: readonly PublishedPort[]): this {
    this.withExposedPorts(...ports.map((port) => ({ container: port.container, host: port.host })));
    for (const port of ports)
      this.hostConfig.PortBindings[`${port.container}/tcp`] = [{ HostIp: "127.0.0.1", HostPort: String(port.host) }];
    return this;
  }

  /** Attached at create time with this address, so peers can dial it before its DNS name exists. */
  withAddress(network: string, address: string, alias: string): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: address }, Aliases: [alias] } } };
    return this;
  }
}
