import { existsSync } from "node:fs";
import { GauntletError } from "../../lib/errors/index.ts";
import { buildNatsServer, NATS_SERVER_MODULE, natsServerPath } from "./bootstrap.mjs";
import { TaskList } from "./task-list.mjs";

/** A 2.x release as the Go module proxy names it, with or without the `v`; pre-releases (2.12.0-RC.1) too. */
const VERSION = /^v?(2\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)$/;
/** What `go install` says when the proxy has no such version (404/410 from proxy.golang.org, 403 from a mirror that refuses it). */
const NOT_SERVED = /unknown revision|invalid version|not available|not found|\b40[34]\b|\b410\b/i;

/** Messages name the version after `label`: `nats-server 2.99.0: …`, or on the command line `--nats-version 2.99.0: …`. */
export class NatsVersionError extends GauntletError {
  override name = "NatsVersionError";

  static notAVersion(label: string, text: string): NatsVersionError {
    return new NatsVersionError(`${label} ${text}: not a version: write a 2.x release such as 2.14.9 (or v2.14.9, 2.12.0-RC.1)`);
  }

  static notServed(label: string, version: string, cause: unknown): NatsVersionError {
    return new NatsVersionError(`${label} ${version}: not served by the Go module proxy (${NATS_SERVER_MODULE}@v${version})`, { cause });
  }

  static noGo(label: string, version: string, cause: unknown): NatsVersionError {
    return new NatsVersionError(
      `${label} ${version}: building it needs Go (go install ${NATS_SERVER_MODULE}@v${version}): install Go and retry`,
      {
        cause,
      },
    );
  }

  static buildFailed(label: string, version: string, cause: unknown): NatsVersionError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new NatsVersionError(`${label} ${version}: the build failed: ${reason}`, { cause });
  }
}

const DEFAULT_LABEL = "nats-server";

/** `2.14.9` or `v2.14.9` → `2.14.9`. */
export function parseNatsVersion(text: string, label = DEFAULT_LABEL): string {
  const version = VERSION.exec(text.trim())?.[1];
  if (!version) throw NatsVersionError.notAVersion(label, text);
  return version;
}

export interface EnsureNatsServerOptions {
  /** Where the build shows its progress (default: a task list of its own on stderr). */
  readonly progress?: TaskList;
  readonly signal?: AbortSignal;
  /** What errors name the version after (default `nats-server`; the CLI's `--nats-version`). */
  readonly label?: string;
}

/**
 * The path of a static (`CGO_ENABLED=0`) nats-server of this version, built with `go install` the
 * first time any process asks for it and cached per version in Gauntlet's cache, as the bootstrap
 * builds the pinned one; processes that ask at once wait for one build.
 */
export async function ensureNatsServer(version: string, options: EnsureNatsServerOptions = {}): Promise<string> {
  const label = options.label ?? DEFAULT_LABEL;
  const wanted = parseNatsVersion(version, label);
  const tag = `v${wanted}`;
  const cached = natsServerPath(tag);
  if (existsSync(cached)) return cached;
  const progress = options.progress ?? new TaskList(process.stderr, { quietBelowMs: 0 });
  try {
    return await progress.run(`nats-server ${wanted} (built once, then cached)`, () =>
      buildNatsServer(tag, { announce: (text) => progress.detail(text), ...(options.signal ? { signal: options.signal } : {}) }),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw NatsVersionError.noGo(label, wanted, error);
    if (options.signal?.aborted) throw error;
    throw error instanceof Error && NOT_SERVED.test(error.message)
      ? NatsVersionError.notServed(label, wanted, error)
      : NatsVersionError.buildFailed(label, wanted, error);
  } finally {
    if (!options.progress) progress.finish();
  }
}
