import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { GauntletError } from "../../../lib/errors/index.ts";
import { LoadAgent } from "../../load/agents/index.ts";
import { type Command, ExitCode } from "../command.ts";
import { optionalString, parseCount } from "../options.ts";
import { readSecret } from "../secret-option.ts";

const DEFAULT_PORT = 7450;

/** ADDR as host:port, :port or port; IPv6 in brackets. */
function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new GauntletError(`--listen ${JSON.stringify(text)}: expected host:port, :port or port (e.g. 0.0.0.0:${DEFAULT_PORT})`);
  }
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

const isLoopback = (host: string) => host === "localhost" || host.startsWith("127.") || host === "::1";

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new GauntletError(`${flag} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

export const command: Command = {
  name: "agent",
  summary: "serve as a load generator that 'gauntlet load --agents' drives remotely",
  usage: `Usage: GAUNTLET_AGENT_TOKEN=T gauntlet agent [--listen ADDR] [--token-file FILE] [--workers N] [--tls-cert FILE --tls-key FILE] [--once]

Runs a load agent: the same worker threads as 'gauntlet load', driven by a coordinator
('gauntlet load <scenario> --agents ws://this-host:${DEFAULT_PORT}' with the same token) over an
authenticated WebSocket. The token lets its holder run code here: keep it secret, use TLS
off loopback. It is read from GAUNTLET_AGENT_TOKEN or a file, never from the command line
(ps shows that to every local user). GET /healthz answers without a token (for load balancers and ECS).

  --listen ADDR     host:port, :port or port (default 127.0.0.1:${DEFAULT_PORT}; port 0 picks one)
  --token-file FILE the shared secret (at least 16 characters) in a file, instead of GAUNTLET_AGENT_TOKEN
  --workers N       worker threads (default: one per core)
  --tls-cert FILE   serve wss:// with this PEM certificate (with --tls-key)
  --tls-key FILE
  --once            exit after the first run's session ends

Prints 'gauntlet agent listening on ws://HOST:PORT' on stdout once ready; stops on SIGINT/SIGTERM,
ending a run in progress.`,
  options: {
    listen: { type: "string" },
    token: { type: "string" },
    "token-file": { type: "string" },
    workers: { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    once: { type: "boolean" },
  },
  async run(options, _positionals, context) {
    const token = readSecret(options, { refusedFlag: "--token", fileFlag: "--token-file", env: "GAUNTLET_AGENT_TOKEN" });
    if (!token) throw new GauntletError("GAUNTLET_AGENT_TOKEN (or --token-file FILE) is required: the coordinator must present the token");
    const { host, port } = parseListen(optionalString(options.listen) ?? `127.0.0.1:${DEFAULT_PORT}`);
    if (host !== "localhost" && isIP(host) === 0) throw new GauntletError(`--listen: '${host}' is not an IP address`);
    const certFile = optionalString(options["tls-cert"]);
    const keyFile = optionalString(options["tls-key"]);
    if ((certFile === undefined) !== (keyFile === undefined)) throw new GauntletError("--tls-cert and --tls-key go together");
    const agent = new LoadAgent(token).withLog((line) => context.stderr.write(`gauntlet agent: ${line}\n`));
    if (options.workers !== undefined) agent.withWorkers(parseCount("--workers", options.workers, 1));
    if (certFile && keyFile) agent.withTls(readPem("--tls-cert", certFile), readPem("--tls-key", keyFile));
    else if (!isLoopback(host))
      context.stderr.write("gauntlet agent: warning: no TLS off loopback: the token and the run travel in clear\n");
    const started = await agent.listen(host, port);
    try {
      context.stdout.write(`gauntlet agent listening on ${started.url} (${started.workers} workers)\n`);
      const stopped = new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
      await Promise.race([stopped, ...(options.once ? [started.sessionEnded()] : [])]);
      return ExitCode.ok;
    } finally {
      await started.stop();
    }
  },
};
