import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LOWEST = 10_000;

/**
 * The ports below the kernel's ephemeral range. A listener that lives there keeps its port while
 * it is down: an outgoing connection never picks it as its source port, so a killed node can be
 * started again on the same port (ports from the ephemeral range are soon taken by clients).
 */
function stablePortRange(): { low: number; high: number } {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: keep the IANA default
  }
  return ephemeralLow - LOWEST >= 2_000 ? { low: LOWEST, high: ephemeralLow - 1 } : { low: 1_024, high: ephemeralLow - 1 };
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A free port on `host` outside the ephemeral range; the caller binds it soon (and retries on EADDRINUSE). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const { low, high } = stablePortRange();
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port on ${host} between ${low} and ${high} after 200 tries`);
}

export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
