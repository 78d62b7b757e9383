import { join } from "node:path";
import { compareVersions, disagreementLines, type VersionedRun, versionsExitCode } from "../../reports/index.ts";
import { ExitCode } from "../cli/command.ts";
import { RunRecord, type Summary } from "../record/index.ts";
import { finishRun } from "./finish-run.ts";
import { type ProfileRunOptions, runProfile } from "./run-profile.ts";

export interface VersionMatrixOptions extends Omit<ProfileRunOptions, "record" | "natsVersion" | "target"> {
  /** Two or more nats-server releases and their binaries, the first the one to compare the others with (the one in production). */
  readonly versions: readonly { readonly version: string; readonly binary: string }[];
  /** Where the matrix's run record goes; each version's run record is a folder in it. */
  readonly runsDir: string;
  /** Hears each version's run as it ends, with the folder of its run record. */
  readonly onRun?: (run: VersionedRun, recordDir: string) => void;
}

/** Each version's run record, in the matrix's: `nats-2.14.9/`. */
const runFolder = (version: string) => `nats-${version}`;

/**
 * A version on which the profile could not run (its stack did not start: a release that rejects
 * the configuration, say): a run record that says so, so the other versions still run and compare.
 */
function couldNotRun(record: RunRecord, options: VersionMatrixOptions, version: string, error: unknown): Promise<Summary> {
  const message = error instanceof Error ? error.message : String(error);
  return finishRun(record, {
    startedAt: new Date(),
    profile: options.profile.name,
    target: { kind: "local", nodes: options.stack.nodes },
    suites: [
      {
        name: "stack",
        verdict: "error",
        durationMs: 0,
        tests: [{ name: "starts", fullName: "the stack starts", file: "", state: "failed", durationMs: 0, errors: [{ message }] }],
      },
    ],
    exitCode: ExitCode.cannotRun,
    cluster: {},
    sections: {},
    requestedNatsVersion: version,
  });
}

/**
 * `gauntlet run --profile P --nats-version A,B`: the profile once per version, each a complete run
 * on a stack of its own with the same seed, then one run record: every version's suites, and the
 * comparison (`versions`). Exit code: `versionsExitCode`.
 */
export async function runVersionMatrix(options: VersionMatrixOptions): Promise<Summary> {
  const { versions, stderr, signal } = options;
  const startedAt = new Date();
  const record = new RunRecord(options.runsDir);
  const runs: VersionedRun[] = [];
  for (const [index, { version, binary }] of versions.entries()) {
    signal.throwIfAborted();
    stderr.write(`\n━━ nats-server ${version} (${index + 1} of ${versions.length}) ━━\n`);
    const dir = runFolder(version);
    const versionRecord = new RunRecord(record.dir, dir, { linkLatest: false });
    const summary = await runProfile({
      ...options,
      stack: { ...options.stack, natsServer: binary },
      record: versionRecord,
      natsVersion: version,
    }).catch((error: unknown) => {
      if (signal.aborted) throw error;
      return couldNotRun(versionRecord, options, version, error);
    });
    const run = { version, dir, summary };
    runs.push(run);
    options.onRun?.(run, join(record.dir, dir));
  }
  const versionsSection = compareVersions(runs);
  return finishRun(record, {
    startedAt,
    profile: options.profile.name,
    target: { kind: "local", nodes: options.stack.nodes },
    suites: runs.flatMap((run) => run.summary.suites.map((suite) => ({ ...suite, name: `nats ${run.version}: ${suite.name}` }))),
    exitCode: versionsExitCode(versionsSection),
    cluster: {},
    sections: { versions: versionsSection },
    reasons: disagreementLines(versionsSection),
  });
}
