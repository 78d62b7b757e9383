import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Credentials, type TlsFiles, tlsEnv } from "./connect.ts";
import { FleetError } from "./fleet-error.ts";
import type { ReplicaSpec } from "./replica-spec.ts";

const FLEET_BIN = fileURLToPath(new URL("../bin/fleet.ts", import.meta.url));
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));
const STOP_GRACE_MS = 15_000;
let warnedNoSetpriv = false;

export interface ChildReplica {
  service: string;
  index: number;
  pid: number;
  /** Settles when the process has exited; rejects never. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** How the process ended, when it ended without being asked to. */
  unexpectedExit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last lines the process wrote to stderr. */
  stderrTail(): string;
  /** SIGTERM (graceful drain), then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/**
 * Run one replica as its own Node process, in its own process group (Ctrl-C reaches only the
 * harness, which stops replicas in order) and tied to its parent by PR_SET_PDEATHSIG through
 * setpriv(1), so it dies even when the parent is SIGKILLed.
 */
export function spawnReplica(
  spec: ReplicaSpec,
  options: { servers: string[]; credentials?: Credentials; tls?: TlsFiles; log: (line: string) => void },
): ChildReplica {
  const nodeArgs = ["--disable-warning=ExperimentalWarning", FLEET_BIN, "--servers", options.servers.join(",")];
  if (!SETPRIV && !warnedNoSetpriv) {
    warnedNoSetpriv = true;
    options.log("warning: setpriv (util-linux) not found; replica processes will outlive a SIGKILLed parent");
  }
  const [command, args] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "SIGKILL", "--", process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      GAUNTLET_REPLICA_SPEC: JSON.stringify(spec),
      ...(options.credentials ? { GAUNTLET_NATS_USER: options.credentials.user, GAUNTLET_NATS_PASS: options.credentials.pass } : {}),
      ...tlsEnv(options.tls),
    },
  });
  const label = `${spec.service.name}#${spec.index}`;
  const tail: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    for (const line of chunk.split("\n").filter(Boolean)) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.log(`[${label}] ${line}`);
    }
  });
  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let asked = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      status = { code, signal };
      resolve(status);
    };
    child.on("exit", settle);
    child.on("error", (error) => {
      tail.push(error.message);
      settle(null, null);
    });
  });
  if (child.pid === undefined) throw new FleetError(`cannot start a process for ${label}`);
  return {
    service: spec.service.name,
    index: spec.index,
    pid: child.pid,
    exited,
    unexpectedExit: () => (asked ? undefined : status),
    stderrTail: () => tail.join("\n"),
    stop: () => {
      asked = true;
      return terminate(child, exited, "SIGTERM");
    },
    kill: () => {
      asked = true;
      return terminate(child, exited, "SIGKILL");
    },
  };
}

async function terminate(child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Node's compile cache makes the 2nd..Nth start of the same modules much cheaper. */
