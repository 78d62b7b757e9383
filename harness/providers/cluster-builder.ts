import { tmpdir } from "node:os";

export type ProgressListener = (message: string) => void;

const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;
/** Each node's store tmpfs (disk faults): room for a test's streams; RAM is used only as it fills. */
export const DEFAULT_DISK_BYTES = 256 * 1024 * 1024;

/**
 * What every provider's cluster builder takes the same way (`LocalCluster`, `DockerCluster`); each
 * sets its own node count, with its own limits, and says in its docs how it applies these.
 */
export abstract class ClusterBuilder {
  protected nodes = 5;
  protected maxPayload = DEFAULT_MAX_PAYLOAD;
  protected extra: Record<string, unknown> = {};
  protected syncAlways = false;
  protected tls = false;
  protected baseDir = tmpdir();
  protected onProgress: ProgressListener = () => {};
  protected diskBytes: number | undefined;
  protected timeoutMs: number;

  protected constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  withMaxPayload(bytes: number): this {
    this.maxPayload = bytes;
    return this;
  }

  /** Extra nats-server configuration merged into every node (authorization, accounts, limits…). */
  withConfig(extra: Record<string, unknown>): this {
    this.extra = { ...this.extra, ...extra };
    return this;
  }

  /** Every node fsyncs each JetStream write before acknowledging it (`sync_interval: always`), as a durable production cluster should. */
  withSyncAlways(enabled = true): this {
    this.syncAlways = enabled;
    return this;
  }

  /**
   * TLS on client connections and routes with a CA and certificates made for this run in its run
   * dir (`started.tls`); clients must present a certificate that CA signed.
   */
  withTls(enabled = true): this {
    this.tls = enabled;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }

  withBaseDir(dir: string): this {
    this.baseDir = dir;
    return this;
  }

  /**
   * Each node's JetStream store on a tmpfs of its own (`bytes` large), so `disk-full` can fill one
   * node's disk and nothing else. Needs root; without it the nodes keep plain stores and say so on
   * the progress listener (the fault then says it cannot be injected).
   */
  withDiskFaults(enabled = true, bytes = DEFAULT_DISK_BYTES): this {
    this.diskBytes = enabled ? bytes : undefined;
    return this;
  }

  withProgress(listener: ProgressListener): this {
    this.onProgress = listener;
    return this;
  }
}
