import { setTimeout as sleep } from "node:timers/promises";
import { paint, TaskList } from "../ui/index.ts";
import { type CommandContext, ExitCode, type ParsedOptions } from "./command.ts";
import { nodesOption } from "./stack-options.ts";

/** `gauntlet up --aws-twin`: moto as the control plane, local nodes as the data plane, until Ctrl-C. */
export async function runAwsTwin(options: ParsedOptions, context: CommandContext): Promise<number> {
  const { startAwsTwin } = await import("../providers/aws/index.ts");
  const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
  const startedAt = performance.now();
  const twin = await progress
    .run("AWS twin", () =>
      startAwsTwin({
        nodes: nodesOption(options),
        onProgress: (message) => progress.detail(message),
        onEvent: (event) => context.stderr.write(`twin: ${event.node} (${event.instance}): ${event.what}\n`),
      }),
    )
    .finally(() => progress.finish());
  try {
    const ready = {
      pid: process.pid,
      target: twin.targetFile,
      dir: twin.dir,
      endpoint: twin.moto.endpoint,
      nats: twin.cluster.clientUrls,
      monitoring: twin.cluster.monitoringUrls,
      readyMs: Math.round(performance.now() - startedAt),
    };
    const out = context.stdout;
    if (options.json) out.write(`${JSON.stringify(ready)}\n`);
    else {
      out.write(`\n${paint(out, "green", "✔")} AWS twin is up (${ready.readyMs} ms): moto at ${ready.endpoint}\n`);
      out.write(`  NATS clients  ${ready.nats.join(" ")}\n`);
      out.write(`  target file   ${ready.target}\n`);
      out.write(
        `\n  Try: npx gauntlet discover --target ${ready.target}\n       npx gauntlet chaos kill-node --target ${ready.target} --execute --yes\n  Stop with Ctrl-C.\n`,
      );
    }
    await sleep(2 ** 31 - 1, undefined, { signal: context.signal }).catch(() => {});
  } finally {
    await twin.stop();
  }
  return ExitCode.ok;
}
