import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunRecord } from "../record/index.ts";
import type { RunningStack } from "../stack/index.ts";

/** The last this-many bytes of each node's log go into the run record. */
const LOG_TAIL_BYTES = 4 * 1024 * 1024;

function tail(file: string, bytes: number): Buffer {
  const size = statSync(file).size;
  const length = Math.min(size, bytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/**
 * What the run record keeps of a local stack before it is stopped: `stack.json` (how its nodes
 * were linked: kernel, proxy or none) and `logs/<server>.log` (each nats-server's log, its tail;
 * a node replaced during the run leaves its own).
 */
export function recordStackEvidence(record: RunRecord, stack: RunningStack): void {
  const cluster = stack.cluster;
  record.writeJson("stack.json", {
    id: stack.id,
    network: cluster.networkKind ?? "none",
    nodes: cluster.nodes.map((node) => ({
      name: node.name,
      server: node.serverName,
      clientUrl: node.clientUrl,
      namespace: node.namespace,
    })),
    ...(cluster.replacedNodes.length > 0
      ? { replaced: cluster.replacedNodes.map((node) => ({ name: node.name, server: node.serverName })) }
      : {}),
  });
  const logs = record.path("logs");
  mkdirSync(logs, { recursive: true });
  for (const node of [...cluster.replacedNodes, ...cluster.nodes]) {
    try {
      writeFileSync(join(logs, `${node.serverName}.log`), tail(node.logFile, LOG_TAIL_BYTES));
    } catch {
      // a node that never started has no log
    }
  }
}
