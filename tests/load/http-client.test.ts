import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { describe, expect, it } from "vitest";
import { type Abortable, type HttpClientError, type HttpRequestSpec, OriginClient, trustingCa } from "../../harness/load/http/index.ts";
import { runLoad } from "../../harness/load/index.ts";
import { createRunCertificates } from "../../harness/tls/index.ts";
import { httpServer, scratchDir } from "./support.ts";

const get = (path = "/", timeoutMs = 5000): HttpRequestSpec => ({ method: "GET", path, headers: {}, body: null, timeoutMs });

/** A TCP server that answers each request on a connection with the next scripted action. */
async function rawServer(answer: (request: string, socket: Socket, index: number) => void) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let index = 0;
    let buffered = "";
    socket.on("data", (data) => {
      buffered += data.toString("latin1");
      let end = buffered.indexOf("\r\n\r\n");
      while (end >= 0) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        answer(request, socket, index++);
        end = buffered.indexOf("\r\n\r\n");
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<HttpClientError & { code: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as HttpClientError & { code: string };
}

describe("HTTP/1.1 client of the load engine", () => {
  it("keeps one connection alive across requests and returns status, headers and body", async () => {
    let sockets = 0;
    await using server = await httpServer((req, res) => {
      res.setHeader("x-path", req.url ?? "");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.statusCode = req.url === "/missing" ? 404 : 200;
      res.end(`hello ${req.url} ${req.headers.host}`);
    });
    const client = new OriginClient(server.url);
    try {
      const first = await client.request(get("/a?x=1"));
      const second = await client.request(get("/missing"));
      expect(first).toMatchObject({ status: 200, body: `hello /a?x=1 ${new URL(server.url).host}` });
      expect(first.headers["x-path"]).toBe("/a?x=1");
      expect(first.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
      expect(second).toMatchObject({ status: 404, body: `hello /missing ${new URL(server.url).host}` });
      sockets = client.connections;
    } finally {
      client.close();
    }
    expect(sockets).toBe(1);
  });

  it("sends string and binary bodies with their byte length, and reads chunked answers split anywhere (UTF-8 included)", async () => {
    await using server = await httpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        // No content-length: Node answers chunked, one chunk per write, a multi-byte character split across two.
        res.write(`${req.headers["content-length"]}:${req.headers["content-type"] ?? "-"}:`);
        res.write(body);
        const euro = Buffer.from("€");
        res.write(euro.subarray(0, 1));
        setTimeout(() => res.end(euro.subarray(1)), 20);
      });
    });
    const client = new OriginClient(server.url);
    try {
      const text = await client.request({
        method: "POST",
        path: "/",
        headers: { "content-type": "text/plain" },
        body: "héllo",
        timeoutMs: 5000,
      });
      expect(text).toMatchObject({ status: 200, body: "6:text/plain:héllo€" });
      expect(text.headers["transfer-encoding"]).toBe("chunked");
      const binary = await client.request({ method: "PUT", path: "/", headers: {}, body: new Uint8Array([65, 66, 67]), timeoutMs: 5000 });
      expect(binary.body).toBe("3:-:ABC€");
      const empty = await client.request({ method: "POST", path: "/", headers: {}, body: null, timeoutMs: 5000 });
      expect(empty.body).toBe("0:-:€");
      expect(client.connections).toBe(1);
    } finally {
      client.close();
    }
  });

  it("reads bodies larger than one socket read intact, by length and chunked", async () => {
    const big = Array.from({ length: 50_000 }, (_, i) => String.fromCharCode(97 + (i % 26)))
      .join("")
      .repeat(6);
    await using server = await httpServer((req, res) => {
      if (req.url === "/length") res.setHeader("content-length", Buffer.byteLength(big));
      for (let i = 0; i < big.length; i += 70_000) res.write(big.slice(i, i + 70_000));
      res.end();
    });
    const client = new OriginClient(server.url);
    try {
      for (let round = 0; round < 3; round++) {
        const [byLength, chunked] = await Promise.all([client.request(get("/length")), client.request(get("/chunked"))]);
        expect(byLength.body.length).toBe(big.length);
        expect(byLength.body === big).toBe(true);
        expect(chunked.headers["transfer-encoding"]).toBe("chunked");
        expect(chunked.body === big).toBe(true);
      }
      expect(client.connections).toBe(2);
    } finally {
      client.close();
    }
  });

  it("opens a new connection after Connection: close, and reads a body that ends with the connection", async () => {
    let requests = 0;
    await using server = await rawServer((_request, socket) => {
      if (requests++ % 2 === 0) socket.write("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 5\r\n\r\nfirst");
      else socket.end("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end");
    });
    const client = new OriginClient(server.url);
    try {
      expect((await client.request(get())).body).toBe("first");
      expect((await client.request(get())).body).toBe("until the end");
      expect((await client.request(get())).body).toBe("first");
      expect(server.connections).toBe(3);
    } finally {
      client.close();
    }
  });

  it("skips 100 Continue, reads no body for 204 and HEAD, and parses a response split byte by byte", async () => {
    await using server = await rawServer((request, socket) => {
      if (request.startsWith("HEAD")) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 42\r\n\r\n");
      else if (request.startsWith("DELETE")) socket.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nx-done: yes\r\n\r\n");
      else {
        const bytes = Buffer.from(
          "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: t\r\n\r\n",
        );
        let i = 0;
        const drip = setInterval(() => {
          if (socket.destroyed || i >= bytes.length) clearInterval(drip);
          else socket.write(bytes.subarray(i, ++i));
        }, 1);
      }
    });
    const client = new OriginClient(server.url);
    try {
      expect(await client.request({ ...get(), method: "HEAD" })).toMatchObject({ status: 200, body: "" });
      const deleted = await client.request({ ...get(), method: "DELETE" });
      expect(deleted).toMatchObject({ status: 204, body: "" });
      expect(deleted.headers["x-done"]).toBe("yes");
      expect(await client.request(get())).toMatchObject({ status: 201, body: "abcde" });
      expect(server.connections).toBe(1);
    } finally {
      client.close();
    }
  });

  it("rejects malformed answers with HTTP_MALFORMED and recovers on a fresh connection", async () => {
    const answers = [
      "SMTP ready\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: ten\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    ];
    await using server = await rawServer((_request, socket) => {
      socket.write(answers[server.connections - 1] ?? "");
    });
    const client = new OriginClient(server.url);
    try {
      const problems: string[] = [];
      for (let i = 0; i < 5; i++) {
        const error = await failure(client.request(get()));
        expect(error.code).toBe("HTTP_MALFORMED");
        expect(error.message).toContain(server.url);
        problems.push(error.message.split("malformed response: ")[1] ?? "");
      }
      expect(problems).toEqual([
        "status line 'SMTP ready' is not HTTP/1.x",
        "content-length 'ten'",
        "two different content-length headers",
        "bad chunk size 'zz'",
        "header line 'no colon here' has no name",
      ]);
      expect((await client.request(get())).body).toBe("ok");
    } finally {
      client.close();
    }
  });

  it("fails a response cut short by the server with HTTP_CLOSED, and an unanswered request after its timeout", async () => {
    await using server = await rawServer((request, socket) => {
      if (request.includes("/cut")) socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
      else if (request.includes("/silent")) return;
      else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const client = new OriginClient(server.url);
    try {
      const cut = await failure(client.request(get("/cut")));
      expect(cut.code).toBe("HTTP_CLOSED");
      expect(cut.message).toBe(`${server.url}: the server closed the connection in the middle of the response`);
      const silent = await failure(client.request(get("/silent", 150)));
      expect(silent.code).toBe("HTTP_TIMEOUT");
      expect(silent.message).toBe(`${server.url}: no complete response within 150 ms`);
      expect((await client.request(get())).body).toBe("ok");
      expect(client.connections).toBe(1);
    } finally {
      client.close();
    }
  });

  it("sends a GET again on a new connection when a reused one was closed unanswered, but not a POST", async () => {
    await using server = await rawServer((_request, socket, index) => {
      // The second request on every connection finds it closed: the keep-alive race.
      if (index === 1) socket.destroy();
      else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const client = new OriginClient(server.url);
    try {
      expect((await client.request(get())).body).toBe("ok");
      expect((await client.request(get())).body).toBe("ok");
      expect(server.connections).toBe(2);
      const post = await failure(client.request({ method: "POST", path: "/", headers: {}, body: "x", timeoutMs: 5000 }));
      expect(post.message).toMatch(/closed the connection before answering|ECONNRESET/);
      expect(server.connections).toBe(2);
    } finally {
      client.close();
    }
  });

  it("reports a refused connection by its code, an invalid header before sending, and aborts what is in flight", async () => {
    await using server = await rawServer(() => undefined);
    const refused = new OriginClient("http://127.0.0.1:1");
    const error = await failure(refused.request(get()));
    expect(error.code).toBe("ECONNREFUSED");
    refused.close();

    const inflight = new Set<Abortable>();
    const client = new OriginClient(server.url, inflight);
    try {
      const bad = await failure(client.request({ ...get(), headers: { "x-evil": "a\r\nx-injected: 1" } }));
      expect(bad.code).toBe("HTTP_INVALID_REQUEST");
      expect(bad.message).toContain("header 'x-evil'");
      const pending = client.request(get());
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(inflight.size).toBe(1);
      for (const request of inflight) request.abort(new Error("interrupted: the scenario ended"));
      expect((await failure(pending)).message).toBe("interrupted: the scenario ended");
      expect(inflight.size).toBe(0);
    } finally {
      client.close();
    }
    expect(() => new OriginClient("ftp://127.0.0.1")).toThrow(/protocol 'ftp:' is not http: or https:/);
  });

  it("through ctx.http: counts malformed answers as failed requests with their error, and survives servers closing connections", async () => {
    let requests = 0;
    await using server = await rawServer((_request, socket) => {
      const n = requests++;
      if (n % 5 === 4) socket.write("garbage\r\n\r\n");
      else socket.write(`HTTP/1.1 200 OK\r\nx-served: yes\r\ncontent-length: 2\r\n${n % 3 === 0 ? "connection: close\r\n" : ""}\r\nok`);
    });
    const result = await runLoad({
      scenario: new URL("./fixtures/http-faults.ts", import.meta.url).pathname,
      target: {},
      env: { URL: server.url },
      workers: 2,
      progress: false,
    });
    expect(result.metrics.http_reqs?.count).toBe(40);
    expect(result.metrics.http_req_failed).toMatchObject({ passes: 8, total: 40 });
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: 40 });
    expect(result.tagged.rates.find((r) => r.metric === "checks" && r.tags.kind === "error")?.total).toBe(8);
    // A fresh connection after every close and every garbage answer, none otherwise.
    expect(server.connections).toBeGreaterThanOrEqual(8 + 11);
    expect(server.connections).toBeLessThanOrEqual(8 + 14 + 2);
  });
});

describe("HTTPS in the load engine", () => {
  async function httpsServer(dir: string) {
    const certificates = await createRunCertificates(dir);
    const seen: Array<{ encrypted: boolean; servername: string | false | null }> = [];
    const server = await httpServer(
      (req, res) => {
        const socket = req.socket as TLSSocket;
        seen.push({ encrypted: socket.encrypted, servername: socket.servername });
        res.end("secure");
      },
      { cert: readFileSync(certificates.server.cert, "utf8"), key: readFileSync(certificates.server.key, "utf8") },
    );
    return { server, seen, ca: readFileSync(certificates.ca, "utf8"), caFile: certificates.ca };
  }

  it("talks TLS to an https origin whose certificate a private CA signed, once it trusts that CA, and refuses it otherwise", async () => {
    using dir = scratchDir();
    const { server, seen, ca } = await httpsServer(dir.path);
    await using _server = server;
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const trusting = new OriginClient(server.url, undefined, trustingCa(ca));
    const untrusting = new OriginClient(server.url);
    try {
      expect(await trusting.request(get("/one"))).toMatchObject({ status: 200, body: "secure" });
      expect(await trusting.request(get("/two"))).toMatchObject({ status: 200, body: "secure" });
      expect(trusting.connections).toBe(1);
      const refused = await failure(untrusting.request(get("/three")));
      expect(refused.message).toMatch(/certificate/i);
    } finally {
      trusting.close();
      untrusting.close();
      process.off("warning", onWarning);
    }
    // An IP address is not a server name (RFC 6066): none is sent, and Node has nothing to warn about.
    expect(seen).toEqual([
      { encrypted: true, servername: false },
      { encrypted: true, servername: false },
    ]);
    expect(warnings.map((warning) => warning.message)).toEqual([]);
  });

  it("through ctx.http: trusts the CA of the target's gateways (gateway.tls.ca) in every worker", async () => {
    using dir = scratchDir();
    const { server, seen, caFile } = await httpsServer(dir.path);
    await using _server = server;
    const result = await runLoad({
      scenario: new URL("./fixtures/http-constant-rate.ts", import.meta.url).pathname,
      target: { gateway: { urls: [server.url], tls: { ca: caFile } } },
      env: { URL: `${server.url}/fast` },
      workers: 2,
      progress: false,
    });
    // A loaded machine may drop a few iterations (open model): count what was sent, not what was planned.
    const sent = result.metrics.http_reqs?.count ?? 0;
    expect(sent).toBeGreaterThan(0);
    expect(result.metrics.http_req_failed).toMatchObject({ passes: 0, total: sent });
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: sent });
    expect(seen).toHaveLength(sent);
    expect(seen.every((request) => request.encrypted)).toBe(true);
  });
});
