import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliResult, gauntlet as runGauntlet } from "../support/cli.ts";

/** `gauntlet <args>` as a process of its own (the shared CLI runner), with extra environment. */
export function gauntlet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runGauntlet(args, { env });
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A real HTTP server on a loopback port; HTTPS with `tls` (PEM certificate and key). */
export async function httpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: { cert: string; key: string },
): Promise<TestServer> {
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `${tls ? "https" : "http"}://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

export interface ScratchDir {
  readonly path: string;
  write(name: string, text: string): string;
  [Symbol.dispose](): void;
}

/** A temp dir made on first use, so a suite whose tests are all filtered out (its hooks never run) leaves none behind. */
export function scratchDir(): ScratchDir {
  let made: string | undefined;
  const path = () => {
    made ??= mkdtempSync(join(tmpdir(), "gauntlet-load-test-"));
    return made;
  };
  return {
    get path() {
      return path();
    },
    write(name, text) {
      const file = join(path(), name);
      writeFileSync(file, text);
      return file;
    },
    [Symbol.dispose]: () => {
      if (made) rmSync(made, { recursive: true, force: true });
    },
  };
}
