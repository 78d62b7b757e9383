import { connect } from "node:net";

/** Resolves once a TCP connection to host:port opens (and closes it); rejects with the connect error. */
export function acceptsConnections(host: string, port: number): Promise<true> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", reject);
  });
}
