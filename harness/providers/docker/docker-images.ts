import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import { cacheDir } from "../../bootstrap/bootstrap.mjs";
import { dockerClient } from "./docker-client.ts";
import { GAUNTLET_LABEL } from "./labels.ts";

export class DockerImageError extends GauntletError {
  override name = "DockerImageError";

  static buildFailed(tag: string, cause: unknown): DockerImageError {
    return new DockerImageError(`cannot build image ${tag}: ${(cause as Error).message}`, { cause });
  }
}

/** One file of an image's tree: where it comes from on this machine, where it goes in the image. */
interface ImageFile {
  readonly source: string;
  readonly target: string;
}

interface ScratchImage {
  readonly repository: string;
  /** Leads the tag, before the content hash (a nats-server version). */
  readonly tagPrefix?: string;
  readonly files: readonly ImageFile[];
  readonly entrypoint: readonly string[];
}

/** A `FROM scratch` image with nats-server alone: one per binary (so per version); `/nats-server` is its entrypoint. */
export function natsServerImage(binary: string, version: string): Promise<string> {
  return buildScratchImage({
    repository: "gauntlet/nats-server",
    tagPrefix: version.replace(/^v/, ""),
    files: [{ source: binary, target: "/nats-server" }],
    entrypoint: ["/nats-server"],
  });
}

/**
 * A `FROM scratch` image with a Node.js runtime: the binary and the shared libraries `ldd` lists,
 * at the paths the loader looks for them. The code it runs is bind-mounted, not copied.
 */
export function nodeImage(binary = process.execPath): Promise<string> {
  return buildScratchImage({
    repository: "gauntlet/node",
    files: [{ source: binary, target: "/usr/local/bin/node" }, ...sharedLibraries(binary)],
    entrypoint: ["/usr/local/bin/node"],
  });
}

function sharedLibraries(binary: string): ImageFile[] {
  const listing = execFileSync("ldd", [binary], { encoding: "utf8" });
  const files: ImageFile[] = [];
  for (const line of listing.split("\n")) {
    const resolved = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (resolved) files.push({ source: resolved, target: resolved });
  }
  return files;
}

async function contentHash(image: ScratchImage): Promise<string> {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ entrypoint: image.entrypoint, targets: image.files.map((file) => file.target) }));
  for (const file of image.files) hash.update(await fileDigest(file.source));
  return hash.digest("hex").slice(0, 16);
}

/**
 * A file's sha256, remembered in the gauntlet cache by path, size, inode and mtime: the Node
 * binary alone is 120 MB, and hashing it on every `up` took seconds.
 */
async function fileDigest(path: string): Promise<string> {
  const stat = statSync(path);
  const key = `${realpathSync(path)}:${stat.size}:${stat.ino}:${stat.mtimeMs}`;
  const cacheFile = join(cacheDir, "docker-file-digests.json");
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(readFileSync(cacheFile, "utf8")) as Record<string, string>;
  } catch {
    // no cache yet, or a torn one: it is rebuilt
  }
  const cached = known[key];
  if (cached) return cached;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const digest = hash.digest("hex");
  mkdirSync(dirname(cacheFile), { recursive: true });
  const partial = `${cacheFile}.${process.pid}`;
  writeFileSync(partial, JSON.stringify({ ...known, [key]: digest }));
  renameSync(partial, cacheFile);
  return digest;
}

/** Builds the image unless one with the same content hash exists already; returns its tag. */
async function buildScratchImage(image: ScratchImage): Promise<string> {
  const hash = await contentHash(image);
  const tag = `${image.repository}:${image.tagPrefix ? `${image.tagPrefix}-` : ""}${hash}`;
  const client = await dockerClient();
  const exists = await client.container.dockerode
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (exists) return tag;
  const context = mkdtempSync(join(tmpdir(), "gauntlet-image-"));
  try {
    for (const file of image.files) {
      const destination = join(context, "rootfs", file.target);
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(file.source, destination);
    }
    writeFileSync(join(context, "Dockerfile"), `FROM scratch\nCOPY rootfs/ /\nENTRYPOINT ${JSON.stringify(image.entrypoint)}\n`);
    await client.image.build(context, { t: tag, labels: { [GAUNTLET_LABEL]: "image" } });
  } catch (error) {
    throw DockerImageError.buildFailed(tag, error);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}
