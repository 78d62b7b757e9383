import { connect } from "@nats-io/transport-node";
import { type NatsAccess, natsConnectionOptions } from "../../lib/nats-options/index.ts";
import type { Check } from "./check.ts";

const NAME = "TLS client";

/**
 * Connects once with the target's own credentials and TLS files, as every suite will. A CA that
 * did not sign the servers' certificates or a missing client certificate shows here in one line;
 * nats.js itself retries a refused handshake until its connect timeout and then says only
 * "timeout".
 */
export async function checkTlsClient(access: NatsAccess): Promise<Check> {
  const files = access.tls ?? {};
  const using = [files.ca ? "the target's CA" : "the system's CAs", files.cert ? "its client certificate" : "no client certificate"];
  try {
    const nc = await connect({
      ...natsConnectionOptions(access, { name: "gauntlet-doctor", profile: "defaults" }),
      reconnect: false,
      timeout: 5_000,
    });
    const server = nc.getServer();
    await nc.close();
    return { name: NAME, status: "pass", detail: `connected to ${server} with ${using.join(" and ")}` };
  } catch (error) {
    // OpenSSL's messages carry a code prefix and a source location around the reason.
    const message = error instanceof Error ? error.message : String(error);
    const reason = message
      .replace(/^.*SSL routines:[^:]*:/, "")
      .replace(/:\.\.\/deps[\s\S]*$/, "")
      .trim();
    return { name: NAME, status: "fail", detail: `with ${using.join(" and ")}: ${reason}` };
  }
}
