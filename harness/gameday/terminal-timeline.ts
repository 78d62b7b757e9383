import { emitKeypressEvents } from "node:readline";
import { createInterface } from "node:readline/promises";
import type { JournalEvent } from "../record/index.ts";
import type { GameDayObserver } from "./run-gameday.ts";

const CLEAR_LINE = "\r\x1b[2K";

/** Off a terminal, the status (probes, loads' p99 and error rate, faults) is a plain line this often. */
const PLAIN_STATUS_EVERY_MS = 10_000;

/**
 * The live timeline of a run: one line per event, and on a terminal a status line (probes, load,
 * faults) redrawn under them; plain lines, no escapes, when the output is not a terminal (CI, a
 * pipe), the status among them every 10 s. Works in tmux: only carriage return and erase-line are used.
 */
export class TerminalTimeline implements GameDayObserver {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #status = "";
  #plainStatusAt = Number.NEGATIVE_INFINITY;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
    this.#tty = out.isTTY === true;
  }

  line(t: number, text: string): void {
    const stamp = `+${t.toFixed(1).padStart(6)}s`;
    if (!this.#tty) {
      this.#out.write(`${stamp}  ${text}\n`);
      return;
    }
    this.#out.write(`${CLEAR_LINE}${stamp}  ${text}\n${this.#status}`);
  }

  status(text: string): void {
    if (!this.#tty) {
      if (performance.now() - this.#plainStatusAt < PLAIN_STATUS_EVERY_MS) return;
      this.#plainStatusAt = performance.now();
      this.#out.write(`${text}\n`);
      return;
    }
    const width = this.#out.columns ?? 120;
    this.#status = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    this.#out.write(`${CLEAR_LINE}${this.#status}`);
  }

  finish(): void {
    if (this.#tty) this.#out.write(CLEAR_LINE);
  }
}

export interface OperatorKeys extends Disposable {
  /** Waits for Enter at a manual step. */
  prompt(text: string): Promise<void>;
}

/**
 * The operator's keys on a terminal: `a` aborts (heal and rollbacks), `n` asks for a note,
 * Ctrl-C aborts too (raw mode swallows SIGINT). Nothing is read when stdin is not a terminal.
 */
export function listenForKeys(
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  handlers: { abort: (reason: string) => void; note: (text: string) => void },
): OperatorKeys {
  const tty = input.isTTY === true;
  let asking = false;
  const ask = async (question: string): Promise<string> => {
    asking = true;
    if (tty) input.setRawMode(false);
    const rl = createInterface({ input, output });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
      asking = false;
      if (tty) {
        input.setRawMode(true);
        input.resume();
      }
    }
  };
  const onKey = (_: string, key: { name?: string; ctrl?: boolean } | undefined) => {
    if (asking || !key) return;
    if (key.ctrl && key.name === "c") handlers.abort("operator pressed Ctrl-C");
    else if (key.name === "a") handlers.abort("operator pressed a");
    else if (key.name === "n")
      void ask("\nnote: ").then((text) => {
        if (text.trim()) handlers.note(text.trim());
      });
  };
  if (tty) {
    emitKeypressEvents(input);
    input.setRawMode(true);
    input.resume();
    input.on("keypress", onKey);
  }
  return {
    prompt: async (text) => {
      if (!tty) throw new Error(`manual step "${text}" needs an operator at a terminal (or --yes)`);
      await ask(`\n${text} — press Enter to go on (a + Enter to abort): `).then((answer) => {
        if (answer.trim() === "a") handlers.abort("operator aborted at a manual step");
      });
    },
    [Symbol.dispose]: () => {
      if (!tty) return;
      input.off("keypress", onKey);
      input.setRawMode(false);
      input.pause();
    },
  };
}

/** A journal event as a timeline line (replay). */
export function describeJournalEvent(event: JournalEvent): string {
  switch (event.type) {
    case "phase":
      return `— ${event.phase} —`;
    case "step":
    case "rollback":
      return `${event.outcome === "ok" ? "✔" : "✖"} ${event.type === "step" ? "step" : "rollback"} ${event.index + 1}: ${event.label}${event.detail ? `: ${event.detail}` : ""}`;
    case "fault":
      return `fault ${event.fault} ${JSON.stringify(event.target)}${event.end === undefined ? "" : ` until +${event.end.toFixed(1)}s`}`;
    case "deviation":
      return `DEVIATION ${event.probe} (${event.phase}): ${event.detail} — tolerance ${event.tolerance}`;
    case "note":
      return `note: ${event.text}`;
    case "abort":
      return `ABORTED (${event.by}): ${event.reason}`;
    case "aws-call":
      return `aws ${event.service}.${event.operation} ${event.outcome}`;
  }
}
