// A task list for long operations: a live spinner line on a terminal, one line per finished
// task. Tasks that finish within `quietBelowMs` (cached, nothing done) print nothing, so a
// warm start stays silent. Plain JavaScript so the bootstrap can use it before Node is current.
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class TaskList {
  #out;
  #tty;
  #quiet;
  #quietBelowMs;
  #timer = undefined;
  #current = undefined;
  #frame = 0;

  constructor(out, { quiet = false, quietBelowMs = 300 } = {}) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY) && process.env.CI !== "true";
    this.#quiet = quiet;
    this.#quietBelowMs = quietBelowMs;
  }

  async run(title, work, summarize = (result) => (typeof result === "string" ? result : "")) {
    this.#current = { title, detail: "", startedAt: performance.now(), printedAt: -Infinity };
    this.#startSpinner();
    try {
      const result = await work();
      this.#settle("✔", summarize(result));
      return result;
    } catch (error) {
      this.#settle("✖", error instanceof Error ? error.message : String(error), true);
      throw error;
    }
  }

  detail(text) {
    const task = this.#current;
    if (!task || task.detail === text) return;
    task.detail = text;
    const now = performance.now();
    if (this.#tty || this.#quiet || now - task.printedAt < 1000) return;
    task.printedAt = now;
    this.#out.write(`  … ${task.title}: ${text}\n`);
  }

  finish() {
    this.#stopSpinner();
  }

  #startSpinner() {
    if (!this.#tty || this.#timer) return;
    this.#timer = setInterval(() => this.#draw(), 80);
    this.#timer.unref();
  }

  #stopSpinner() {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) this.#out.write("\r\x1b[2K");
  }

  #draw() {
    if (!this.#current) return;
    const elapsed = ((performance.now() - this.#current.startedAt) / 1000).toFixed(1);
    const detail = this.#current.detail ? ` — ${this.#current.detail}` : "";
    this.#frame = (this.#frame + 1) % FRAMES.length;
    this.#out.write(`\r\x1b[2K${FRAMES[this.#frame]} ${this.#current.title}${detail} (${elapsed}s)`);
  }

  #settle(mark, message, failed = false) {
    const task = this.#current;
    this.#current = undefined;
    if (this.#tty) this.#out.write("\r\x1b[2K");
    const ms = performance.now() - task.startedAt;
    if (!failed && (this.#quiet || ms < this.#quietBelowMs)) return;
    const suffix = message ? ` — ${message}` : "";
    this.#out.write(`${mark} ${task.title}${suffix} (${(ms / 1000).toFixed(1)}s)\n`);
  }
}
