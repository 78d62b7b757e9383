import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

/** A certificate and its private key, as PEM files. */
export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

/** A CA made for one run, and the certificates it signed: the servers' (nats-server, gateways) and the clients'. */
export interface RunCertificates {
  /** The CA certificate every client and server trusts. */
  readonly ca: string;
  /** For 127.0.0.1, localhost and the kernel network's node addresses; also presented as a client certificate on cluster routes. */
  readonly server: CertificateFiles;
  /** What NATS clients (services, gateways, suites, load) present when the server verifies them. */
  readonly client: CertificateFiles;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const VALID_MS = 7 * 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

x509.cryptoProvider.set(globalThis.crypto);

const newKeys = () => webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as Promise<webcrypto.CryptoKeyPair>;

async function privateKeyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + VALID_MS) };
}

/** DER integers are signed: the leading 01 keeps a random serial positive. */
const serial = (): string => `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString("hex")}`;

/**
 * Makes a fresh CA and the certificates a local stack needs, written into `dir` (keys 0600).
 * Nothing is reused across runs: the CA's private key is never written anywhere.
 */
export async function createRunCertificates(dir: string, name = "gauntlet", addresses: readonly string[] = []): Promise<RunCertificates> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKeys = await newKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name} run CA`,
    ...validity(),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (subject: string, usages: string[], names: x509.JsonGeneralName[]): Promise<{ cert: string; key: string }> => {
    const keys = await newKeys();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${subject}`,
      issuer: ca.subject,
      ...validity(),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(usages),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
      ],
    });
    return { cert: cert.toString("pem"), key: await privateKeyPem(keys) };
  };
  const loopback: x509.JsonGeneralName[] = [
    { type: "ip", value: "127.0.0.1" },
    { type: "dns", value: "localhost" },
    ...addresses.map((value) => ({ type: "ip" as const, value })),
  ];
  const server = await issue(`${name} server`, [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], loopback);
  const client = await issue(`${name} client`, [x509.ExtendedKeyUsage.clientAuth], []);

  const write = (file: string, pem: string, mode: number) => {
    const path = join(dir, file);
    writeFileSync(path, pem.endsWith("\n") ? pem : `${pem}\n`, { mode });
    return path;
  };
  return {
    ca: write("ca.pem", ca.toString("pem"), 0o644),
    server: { cert: write("server.pem", server.cert, 0o644), key: write("server-key.pem", server.key, 0o600) },
    client: { cert: write("client.pem", client.cert, 0o644), key: write("client-key.pem", client.key, 0o600) },
  };
}
