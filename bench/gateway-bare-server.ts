// Baseline for bench/gateway-overhead.ts: a bare node:http handler doing the same NATS
// request as the gateway (same subject, timeout and connection options), and nothing else.
// Usage: node bench/gateway-bare-server.ts <nats-url> <subject> <timeoutMs>; prints {"url"} once listening.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../lib/nats-options/index.ts";

const [url = "", subject = "", timeoutText = "5000"] = process.argv.slice(2);
const timeout = Number(timeoutText);
const nc = await connect({ ...natsConnectionOptions({ servers: [url] }, { name: "gateway-bare-server" }), noAsyncTraces: true });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    nc.request(subject, Buffer.concat(chunks), { timeout }).then(
      (msg) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(msg.data);
      },
      () => {
        response.writeHead(502);
        response.end();
      },
    );
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void nc.drain().then(() => process.exit(0));
});
