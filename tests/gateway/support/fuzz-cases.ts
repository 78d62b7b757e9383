import { mulberry32 } from "../../../harness/nemesis/prng.ts";
/** Deterministic generator of malformed gateway requests (mulberry32 PRNG, so a seed replays a run). */
export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

const SEGMENTS = [
  "orders",
  "create",
  "conflict",
  "gone",
  "event-bus",
  "status",
  "audit",
  "record",
  "events",
  "EVENTS",
  "$SYS",
  "$JS",
  "$JS.API.INFO",
  "$KV",
  "$SRV.PING",
  "*",
  ">",
  ".",
  "..",
  "%2E",
  "%2e",
  "%2E%2E",
  "%00",
  "create%00",
  "%2F",
  "%25",
  "%24SYS",
  "%2A",
  "%3E",
  "\u00e9",
  "%C3%A9",
  "%C0%AE",
  "%EF%BC%8E",
  "%E2%80%AE",
  "%F0%9F%92%A5",
  "constructor",
  "__proto__",
  "prototype",
  "hasOwnProperty",
  "v1",
  "",
  "create.extra",
  "orders.create",
  "svc.orders.create",
  "_INBOX_gateway",
  "_INBOX_gateway.x",
  "_INBOX.>",
  "events.>",
  "x".repeat(300),
  "orders%20",
  "%20orders",
  "%09",
];
const PREFIXES = ["/v1/", "/v1/", "/v1/", "/v1/events/", "/", "/v2/", "//v1/", "/v1//", "/V1/", "/v1/%2E%2E/"];
const METHODS = ["POST", "POST", "POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const NATS_HEADERS = [
  "Nats-Msg-Id",
  "Nats-Expected-Stream",
  "Nats-Expected-Last-Sequence",
  "Nats-Rollup",
  "Nats-TTL",
  "Nats-Service-Error",
  "Nats-Service-Error-Code",
  "nats-msg-id",
  "NATS-MSG-ID",
  "Nats-Schedule",
];
// No unserved subject here: the fuzz test's watcher on ">" would make every subject look served (a 2 s timeout each).
const GOOD_PATHS = ["/v1/orders/create", "/v1/orders/conflict", "/v1/orders/gone", "/v1/event-bus/status", "/v1/events/EVENTS"];

export function fuzzRequests(count: number, seed: number, maxPayload: number): FuzzRequest[] {
  const random = mulberry32(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    const path = roll < 0.35 ? pick(GOOD_PATHS) : randomPath(random, pick);
    const method = roll < 0.35 ? "POST" : pick(METHODS);
    const headers: Record<string, string> = {
      "content-type": pick(["application/json", "text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=utf-16"]),
    };
    if (!headers["content-type"]) delete headers["content-type"];
    const headerRoll = random();
    if (headerRoll < 0.4) headers[pick(NATS_HEADERS)] = pick(["smuggled", "EVENTS", "999", "all", "1s", "500", "x".repeat(64)]);
    if (headerRoll < 0.15) headers[pick(NATS_HEADERS)] = "second";
    if (random() < 0.3)
      headers.traceparent = pick([
        "00-zz",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        `00-${"0".repeat(32)}-b7ad6b7169203331-01`,
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      ]);
    if (random() < 0.2) headers.tracestate = pick(["a=b", "x".repeat(600), "k=\u00ff"]);
    if (random() < 0.2) headers["x-request-id"] = pick(["id-1", "bad id", "x".repeat(200), "$SYS.>"]);
    if (random() < 0.3) headers["idempotency-key"] = pick(["key-1", `key-${i}`, "k".repeat(300), "key with spaces", "\u00e9"]);
    let kind = "path";
    if (random() < 0.01) {
      headers["x-padding"] = "p".repeat(100 * 1024);
      kind = "100KB header";
    }
    const body = method === "GET" || method === "HEAD" ? undefined : randomBody(random, pick, maxPayload);
    if (body && body.byteLength > maxPayload) kind = kind === "path" ? "huge body" : kind;
    requests.push({ kind, method, path, headers, body });
  }
  return requests;
}

function randomPath(random: () => number, pick: <T>(values: readonly T[]) => T): string {
  const depth = 1 + Math.floor(random() * 4);
  const segments = Array.from({ length: depth }, () => pick(SEGMENTS));
  const query = random() < 0.1 ? pick(["?subject=svc.orders.create", "?%00", "?a=b&a=c", "#frag"]) : "";
  return `${pick(PREFIXES)}${segments.join("/")}${query}`;
}

function randomBody(random: () => number, pick: <T>(values: readonly T[]) => T, maxPayload: number): Buffer | undefined {
  const roll = random();
  if (roll < 0.3)
    return Buffer.from(
      JSON.stringify(
        pick([{ item: 1 }, { type: "order.created" }, { type: pick(["a.*", ">", "a..b", "$JS.API", "ok.type"]) }, [], null, "text", 42]),
      ),
    );
  if (roll < 0.45)
    return Buffer.from(pick(['{"item": ', "{", "[1,2", '{"a":1}}', "nul", "'single'", '{"type":"x",}', "\u0000", "undefined"]));
  if (roll < 0.55) return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 256) }, () => Math.floor(random() * 256)));
  if (roll < 0.62) return Buffer.from(JSON.stringify({ pad: "x".repeat(maxPayload + Math.floor(random() * maxPayload)) }));
  if (roll < 0.66) return Buffer.from(JSON.stringify({ pad: "x".repeat(maxPayload - 40) }));
  if (roll < 0.7) return Buffer.from(`${"[".repeat(5_000)}${"]".repeat(5_000)}`);
  if (roll < 0.75) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify({ item: Math.floor(random() * 1000), type: pick(["order.created", "a-b.c_d", "x"]) }));
}

/** Raw HTTP the client libraries refuse to send: truncated bodies, broken request lines and chunking. */
export const RAW_REQUESTS: { name: string; bytes: string; endAfterWrite: boolean }[] = [
  {
    name: "truncated body",
    bytes: 'POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"item":',
    endAfterWrite: true,
  },
  { name: "truncated headers", bytes: "POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nContent-Le", endAfterWrite: true },
  { name: "bad request line", bytes: "POST /v1/orders/create HTTP/9.9 extra\r\n\r\n", endAfterWrite: false },
  { name: "raw space in path", bytes: "POST /v1/orders /create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", endAfterWrite: false },
  {
    name: "bad chunk size",
    bytes: "POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
    endAfterWrite: false,
  },
  {
    name: "conflicting lengths",
    bytes: "POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    endAfterWrite: false,
  },
  { name: "NUL in path", bytes: "POST /v1/orders/\u0000create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", endAfterWrite: false },
  {
    name: "CR in header",
    bytes: "POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nNats-Msg-Id: a\rb\r\nContent-Length: 2\r\n\r\n{}",
    endAfterWrite: false,
  },
  {
    name: "header folding",
    bytes: "POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nx-request-id: a\r\n Nats-Msg-Id: b\r\nContent-Length: 2\r\n\r\n{}",
    endAfterWrite: false,
  },
  {
    name: "chunked huge",
    bytes: `POST /v1/orders/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(40_000).toString(16)}\r\n${"x".repeat(40_000)}\r\n0\r\n\r\n`,
    endAfterWrite: false,
  },
];
