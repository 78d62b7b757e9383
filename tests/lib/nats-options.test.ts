import { describe, expect, it } from "vitest";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";

const servers = ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"];

describe("target → NATS connection options", () => {
  it("a production client notices faults in seconds and reconnects forever; defaults are nats.js's", () => {
    expect(natsConnectionOptions({ servers }, { name: "a" })).toEqual({
      servers,
      name: "a",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 2_000,
      maxPingOut: 2,
      timeout: 2_000,
    });
    expect(natsConnectionOptions({ servers }, { name: "a", profile: "defaults" })).toEqual({ servers, name: "a" });
  });

  it("carries user/pass, token and the TLS files; servers may be narrowed to one node", () => {
    const options = natsConnectionOptions(
      { servers, user: "u", pass: "p", token: "t", tls: { ca: "/ca.pem", cert: "/c.pem", key: "/k.pem" } },
      { name: "a", servers: [servers[1] as string] },
    );
    expect(options).toMatchObject({
      servers: [servers[1]],
      user: "u",
      pass: "p",
      token: "t",
      tls: { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" },
    });
    expect(natsConnectionOptions({ servers, tls: {} }, { name: "a" }).tls).toEqual({});
  });

  it("turns a creds or nkey seed file into an authenticator", () => {
    expect(natsConnectionOptions({ servers, creds: "/x.creds" }, { name: "a" }).authenticator).toBeTypeOf("function");
    expect(natsConnectionOptions({ servers, nkey: "/x.nk" }, { name: "a" }).authenticator).toBeTypeOf("function");
    expect(natsConnectionOptions({ servers }, { name: "a" }).authenticator).toBeUndefined();
  });
});
