import { basename, dirname, posix } from "node:path";
import type { RunCertificates } from "../../tls/index.ts";

/** Where every container of a TLS stack finds the run's certificates: their folder, bind-mounted read-only. */
export const CONTAINER_TLS_DIR = "/etc/gauntlet/tls";

export function tlsMount(certificates: RunCertificates): { source: string; target: string; mode: "ro" } {
  return { source: dirname(certificates.ca), target: CONTAINER_TLS_DIR, mode: "ro" };
}

/** The same certificates, by their paths inside a container. */
export function inContainer(certificates: RunCertificates): RunCertificates {
  const path = (file: string) => posix.join(CONTAINER_TLS_DIR, basename(file));
  return {
    ca: path(certificates.ca),
    server: { cert: path(certificates.server.cert), key: path(certificates.server.key) },
    client: { cert: path(certificates.client.cert), key: path(certificates.client.key) },
  };
}
