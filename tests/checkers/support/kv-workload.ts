import type { KV } from "@nats-io/kv";
import type { HistoryRecorder, ProcessId } from "../../../harness/history/index.ts";

/** Records KV operations the way the KV register checker reads them. */
export class KvWorkload {
  readonly #recorder: HistoryRecorder;
  readonly #kv: KV;
  readonly #process: ProcessId;

  constructor(recorder: HistoryRecorder, process: ProcessId, kv: KV) {
    this.#recorder = recorder;
    this.#process = process;
    this.#kv = kv;
  }

  put(key: string, value: string) {
    return this.#recorder.run(this.#process, "kv-put", { key, value }, async () => ({
      key,
      value,
      revision: await this.#kv.put(key, value),
    }));
  }

  get(key: string) {
    return this.#recorder.run(this.#process, "kv-get", { key }, async () => {
      const entry = await this.#kv.get(key);
      if (entry?.operation !== "PUT") return { key, value: null, revision: 0 };
      return { key, value: entry.string(), revision: entry.revision };
    });
  }
}
