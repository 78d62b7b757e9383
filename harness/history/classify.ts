import type { ErrorInfo } from "./schema.ts";

/** How a failed operation is recorded: `fail` = definitely did not happen, `info` = may have happened. */
export interface Classification {
  readonly type: "fail" | "info";
  readonly error: ErrorInfo;
}

export type ErrorClassifier = (error: unknown, f: string) => Classification;

interface Rule {
  readonly class: string;
  readonly type: "fail" | "info";
  readonly matches: (names: readonly string[], messages: string) => boolean;
}

/*
 * Order matters: the first rule that matches the error or any of its causes wins. During a
 * JetStream election nats.js reports "no responders" / "jetstream is not enabled": both are
 * definite failures (no server took the request) with a class of their own, so a checker can
 * count them separately and nobody mistakes them for a missing JetStream.
 */
const RULES: readonly Rule[] = [
  {
    class: "jetstream-not-enabled",
    type: "fail",
    matches: (names, m) => names.includes("JetStreamNotEnabled") || /jetstream is not enabled/i.test(m),
  },
  { class: "no-responders", type: "fail", matches: (names, m) => names.includes("NoResponders") || /no responders/i.test(m) },
  { class: "timeout", type: "info", matches: (names, m) => names.includes("TimeoutError") || /\btime(d)?\s?out\b/i.test(m) },
  {
    class: "permission",
    type: "fail",
    matches: (names) => names.includes("PermissionViolationError") || names.includes("AuthorizationError"),
  },
  {
    class: "connection-closed",
    type: "info",
    matches: (names, m) =>
      names.includes("ClosedConnectionError") ||
      names.includes("DrainingConnectionError") ||
      /connection (closed|draining|disconnected)/i.test(m),
  },
  { class: "wrong-last-sequence", type: "fail", matches: (_names, m) => /wrong last sequence/i.test(m) },
  {
    class: "jetstream-api",
    type: "fail",
    matches: (names) => names.some((name) => name === "JetStreamApiError" || name.endsWith("NotFoundError")),
  },
  {
    class: "invalid-argument",
    type: "fail",
    matches: (names) => names.includes("InvalidArgumentError") || names.includes("InvalidSubjectError"),
  },
];

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Default classification of an operation's error. Anything not recognised is `info`: the
 * operation may have taken effect, which is the safe assumption for every checker.
 */
export function classifyError(error: unknown): Classification {
  const chain = causeChain(error);
  const names = chain.map((e) => (e instanceof Error ? e.name : typeof e));
  const messages = chain.map(messageOf).join(" | ");
  const message = messageOf(error);
  for (const rule of RULES) {
    if (rule.matches(names, messages)) return { type: rule.type, error: { class: rule.class, message } };
  }
  return { type: "info", error: { class: "unknown", message } };
}
