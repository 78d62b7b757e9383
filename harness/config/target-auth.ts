import { readFileSync } from "node:fs";
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from "@nats-io/transport-node";
import type { Target } from "./target.ts";

/** The target's NATS credentials and TLS as nats.js connection options (user/pass, token, creds, nkey seed, tls). */
export function targetAuth(target: Target): Partial<ConnectionOptions> {
  const { nats } = target;
  return {
    ...(nats.user ? { user: nats.user, pass: nats.pass } : {}),
    ...(nats.token ? { token: nats.token } : {}),
    ...(nats.creds ? { authenticator: credsAuthenticator(readFileSync(nats.creds)) } : {}),
    ...(nats.nkey ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(nats.nkey, "utf8").trim())) } : {}),
    ...(nats.tls
      ? {
          tls: {
            ...(nats.tls.ca ? { caFile: nats.tls.ca } : {}),
            ...(nats.tls.cert ? { certFile: nats.tls.cert } : {}),
            ...(nats.tls.key ? { keyFile: nats.tls.key } : {}),
          },
        }
      : {}),
  };
}
