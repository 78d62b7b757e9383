import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadTarget, parseSize, readTargetFile, toTarget } from "../../harness/config/index.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-config-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function targetFile(text: string): string {
  counter += 1;
  const file = join(dir, `target-${counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function problemOf(text: string): Promise<string> {
  const file = targetFile(text);
  const error = await loadTarget(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.replace(file, "FILE");
}

const VALID = `
nats:
  servers: [nats://127.0.0.1:4222]
  monitoring: [http://127.0.0.1:8222, http://127.0.0.1:8223]
gateway:
  urls: [http://127.0.0.1:8080]
expect:
  nodes: 5
  max_payload: 4MB
`;

describe("target file", () => {
  it("loads a valid file with sizes parsed and nodes expected", async () => {
    const target = await loadTarget(targetFile(VALID));
    expect(target.nats.servers).toEqual(["nats://127.0.0.1:4222"]);
    expect(target.gateway?.urls).toEqual(["http://127.0.0.1:8080"]);
    expect(target.expect).toEqual({ nodes: 5, maxPayload: 4 * 1024 * 1024, tls: undefined, sync: undefined, minReplicas: undefined });
  });

  it("reads the durability a target expects", async () => {
    const target = await loadTarget(targetFile(`${VALID}  sync: always\n  min_replicas: 3\n`));
    expect(target.expect).toMatchObject({ sync: "always", minReplicas: 3 });
    expect(await problemOf(`${VALID}  sync: 1s\n`)).toBe(
      "FILE:expect.sync: expected always (the only setting that survives a power loss) (line 10)",
    );
  });

  it("reads the system account's user, and names a half-given one", async () => {
    const withSystem = (system: string) =>
      `nats:\n  servers: [nats://127.0.0.1:4222]\n  monitoring: [http://127.0.0.1:8222]\n  system: ${system}\n`;
    const target = await loadTarget(targetFile(withSystem("{ user: sys, pass: secret }")));
    expect(target.nats.system).toEqual({ user: "sys", pass: "secret" });
    expect(await problemOf(withSystem("{ user: sys }"))).toBe("FILE:nats.system.pass: user and pass go together (line 4)");
    expect(await problemOf(withSystem("{ user: sys, pass: x, creds: sys.creds }"))).toBe(
      "FILE:nats.system: give one of user + pass, creds or nkey (line 4)",
    );
  });

  it("expects one node per monitoring URL when expect.nodes is absent", async () => {
    const target = await loadTarget(
      targetFile("nats:\n  servers: [nats://127.0.0.1:4222]\n  monitoring: [http://127.0.0.1:8222, http://127.0.0.1:8223]\n"),
    );
    expect(target.expect.nodes).toBe(2);
  });

  it.each([
    [
      "a bad NATS URL",
      VALID.replace("nats://127.0.0.1:4222", "http://x"),
      "FILE:nats.servers[0]: expected a NATS URL like nats://127.0.0.1:4222 (line 3)",
    ],
    [
      "a bad monitoring URL",
      VALID.replace("http://127.0.0.1:8223", "ftp://x"),
      "FILE:nats.monitoring[1]: expected an http(s):// URL (line 4)",
    ],
    [
      "an unreadable size",
      VALID.replace("4MB", "four megs"),
      'FILE:expect.max_payload: expected a size like 4MB or 1048576, got "four megs" (line 9)',
    ],
    ["a misspelt key", VALID.replace("servers:", "server:"), "FILE:nats.server: unknown field (check the spelling) (line 3)"],
    [
      "no NATS section",
      "gateway:\n  urls: [http://127.0.0.1:8080]\n",
      "FILE:nats: missing (describe the system by nats addresses or by aws resources)",
    ],
    ["an aws section without a region", "aws:\n  nats: { asg: nats-prod }\n", "FILE:aws.region: required: expected string (line 2)"],
    [
      "an aws section naming nodes twice",
      "aws:\n  region: eu-west-1\n  nats: { asg: nats-prod, tags: { Role: nats } }\n",
      "FILE:aws.nats.asg: name the NATS nodes by asg or by tags (one of them) (line 3)",
    ],
    [
      "an aws endpoint that is no URL",
      "aws:\n  region: eu-west-1\n  endpoint: localhost:5000\n  nats: { asg: a }\n",
      "FILE:aws.endpoint: expected an http(s):// URL (line 3)",
    ],
    [
      "a user without a password",
      VALID.replace("  servers:", "  user: admin\n  servers:"),
      "FILE:nats.pass: user and pass go together (line 3)",
    ],
    [
      "nats credentials without addresses and without an aws section",
      "nats:\n  user: admin\n  pass: secret\n",
      "FILE:nats.servers: required: list at least one client URL (or describe the system by aws resources)",
    ],
    [
      "client URLs without monitoring URLs",
      "nats:\n  servers: [nats://127.0.0.1:4222]\naws:\n  region: eu-west-1\n  nats: { asg: a }\n",
      "FILE:nats.monitoring: required with nats.servers: one monitoring URL per node (http://host:8222)",
    ],
    ["a zero node count", VALID.replace("nodes: 5", "nodes: 0"), "FILE:expect.nodes: Too small: expected number to be >=1 (line 8)"],
    ["broken YAML", "nats: [unclosed\n", "FILE:(yaml): invalid YAML: Flow sequence"],
  ])("names file, field and problem for %s", async (_case, text, expected) => {
    expect(await problemOf(text)).toContain(expected);
  });

  it("an aws target's credentials and TLS from its nats section go with the addresses discovery resolved", async () => {
    const file = targetFile(
      "aws:\n  region: eu-west-1\n  nats: { asg: nats-prod }\nnats:\n  user: admin\n  pass: secret\n  tls: { ca: /etc/ca.pem }\n",
    );
    const resolved = {
      servers: ["nats://127.0.1.10:4222", "nats://127.0.1.11:4222"],
      monitoring: ["http://127.0.1.10:8222", "http://127.0.1.11:8222"],
      gatewayUrls: [],
      nodes: 2,
    };
    const target = toTarget(file, await readTargetFile(file), resolved);
    expect(target.nats).toEqual({
      servers: resolved.servers,
      monitoring: resolved.monitoring,
      user: "admin",
      pass: "secret",
      tls: { ca: "/etc/ca.pem" },
    });
    expect(target.expect.nodes).toBe(2);
  });

  it("says when the file does not exist", async () => {
    await expect(loadTarget(join(dir, "missing.yaml"))).rejects.toThrow(`${join(dir, "missing.yaml")}:(file): file not found`);
  });
});

describe("units", () => {
  it("parses sizes the way nats-server does (binary units)", () => {
    expect(parseSize("4MB")).toBe(4 * 1024 * 1024);
    expect(parseSize("512kb")).toBe(512 * 1024);
    expect(parseSize(1000)).toBe(1000);
    expect(parseSize("lots")).toBeUndefined();
  });
});
