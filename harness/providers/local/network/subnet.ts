import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crashGuard, processAlive } from "../../../process/index.ts";
import { NetworkError } from "./network-error.ts";
import { systemCommand } from "./system-command.ts";

/** Kernel networks take a /24 of this /16 (RFC 1918), one nobody on the machine uses. */
export const SUBNET_PREFIX = "10.213";
/**
 * Where the locks live: one place for the whole machine whatever a process's TMPDIR (two stacks
 * on one /24 would route to each other's nodes); a tmpfs, so a reboot clears them.
 */
const LOCK_DIR = "/run/gauntlet-subnets";

function toInt(address: string): number {
  return address.split(".").reduce((value, part) => value * 256 + Number(part), 0);
}

function overlaps(a: string, b: string): boolean {
  const [addressA = "", bitsA = "32"] = a.split("/");
  const [addressB = "", bitsB = "32"] = b.split("/");
  const block = 2 ** (32 - Math.min(Number(bitsA), Number(bitsB)));
  return Math.floor(toInt(addressA) / block) === Math.floor(toInt(addressB) / block);
}

/** Every IPv4 prefix this machine routes or holds an address in (default routes excluded: they route everything else; so is our blackhole). */
async function prefixesInUse(): Promise<string[]> {
  const routes = (
    JSON.parse(await systemCommand(["ip", "-4", "-j", "route", "show", "table", "all"])) as { dst?: string; type?: string }[]
  ).filter(
    // Our own blackhole for the prefix is no one's network.
    (route) => !(route.type === "blackhole" && route.dst?.startsWith(`${SUBNET_PREFIX}.`)),
  );
  const addresses = JSON.parse(await systemCommand(["ip", "-4", "-j", "addr"])) as {
    addr_info?: { local?: string; prefixlen?: number }[];
  }[];
  return [
    ...routes.map((route) => route.dst ?? "default").filter((dst) => dst !== "default" && /^\d+\.\d+\.\d+\.\d+/.test(dst)),
    ...addresses.flatMap((link) => (link.addr_info ?? []).map((info) => `${info.local}/${info.prefixlen}`)),
  ];
}

/** A /24 held by this process until `release()`: a lock dir (machine-wide, in /run) stops two stacks taking the same one. */
export class Subnet {
  readonly base: string;
  readonly #lock: string;

  private constructor(base: string, lock: string) {
    this.base = base;
    this.#lock = lock;
  }

  /** Host `index` (1–253) of the subnet. */
  host(index: number): string {
    return `${this.base}.${index}`;
  }

  get cidr(): string {
    return `${this.base}.0/24`;
  }

  static async reserve(): Promise<Subnet> {
    mkdirSync(LOCK_DIR, { recursive: true });
    const inUse = await prefixesInUse();
    for (let third = 0; third < 256; third++) {
      const base = `${SUBNET_PREFIX}.${third}`;
      if (inUse.some((prefix) => overlaps(prefix, `${base}.0/24`))) continue;
      const lock = join(LOCK_DIR, base);
      if (!Subnet.#take(lock)) continue;
      crashGuard.watchDir(lock);
      return new Subnet(base, lock);
    }
    throw NetworkError.noFreeSubnet(SUBNET_PREFIX);
  }

  static #take(lock: string): boolean {
    try {
      mkdirSync(lock);
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lock, "owner"), "utf8"));
      } catch {
        // being created right now, or left half-made: leave it
        return false;
      }
      if (processAlive(owner)) return false;
      rmSync(lock, { recursive: true, force: true });
      try {
        mkdirSync(lock);
      } catch {
        return false;
      }
    }
    writeFileSync(join(lock, "owner"), String(process.pid));
    return true;
  }

  release(): void {
    rmSync(this.#lock, { recursive: true, force: true });
    crashGuard.forgetDir(this.#lock);
  }
}
