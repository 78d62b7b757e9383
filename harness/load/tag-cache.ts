import type { Tags } from "./metrics.ts";

/*
 * One frozen object per distinct tag set, shared by every VU of a worker: the metric sink finds its
 * entries by object identity, so operations that repeat build no metric keys.
 */
const INTERNED = new WeakMap<Tags, Map<string, Tags>>();
const INTERNED_PLAIN = new WeakMap<Tags, Map<string, Map<string, Tags>>>();

function appendKey(key: string, tags: Record<string, string> | undefined): string {
  let out = key;
  if (tags) for (const k in tags) out += `${k}\u0001${tags[k]}\u0002`;
  return out;
}

export function isEmpty(tags: Record<string, string>): boolean {
  for (const _ in tags) return false;
  return true;
}

/**
 * The merged tag set of an operation, one object per distinct set: the metric sink finds its
 * entries by object identity, so repeating operations build no metric keys. The common case
 * (no iteration or call tags) is looked up by `kind` and `primary` (e.g. the subject) alone.
 */
export function internTags(
  scenarioTags: Tags,
  iterationTags: Record<string, string>,
  own: Record<string, string>,
  extra: Record<string, string> | undefined,
  kind: string,
  primary: string,
  /** Instead of `own`: the one tag `{[primaryTag]: primary}`, built only the first time. */
  primaryTag?: string,
): Tags {
  if (extra === undefined && isEmpty(iterationTags)) {
    let byKind = INTERNED_PLAIN.get(scenarioTags);
    if (!byKind) {
      byKind = new Map();
      INTERNED_PLAIN.set(scenarioTags, byKind);
    }
    let byPrimary = byKind.get(kind);
    if (!byPrimary) {
      byPrimary = new Map();
      byKind.set(kind, byPrimary);
    }
    let tags = byPrimary.get(primary);
    if (!tags) {
      tags = Object.freeze({ ...scenarioTags, ...(primaryTag === undefined ? own : { [primaryTag]: primary }) });
      byPrimary.set(primary, tags);
    }
    return tags;
  }
  let byKey = INTERNED.get(scenarioTags);
  if (!byKey) {
    byKey = new Map();
    INTERNED.set(scenarioTags, byKey);
  }
  const key = appendKey(appendKey(appendKey("", iterationTags), own), extra);
  let tags = byKey.get(key);
  if (!tags) {
    tags = Object.freeze({ ...scenarioTags, ...iterationTags, ...own, ...extra });
    byKey.set(key, tags);
  }
  return tags;
}

const PLAIN_HTTP = new WeakMap<Tags, Map<string, Map<string, Map<number, Tags>>>>();

/** The tags of a request made without call or iteration tags, found without building a key. */
export function plainHttpTags(scenarioTags: Tags, method: string, label: string, status: number): Tags {
  let byLabel = PLAIN_HTTP.get(scenarioTags);
  if (!byLabel) {
    byLabel = new Map();
    PLAIN_HTTP.set(scenarioTags, byLabel);
  }
  let byMethod = byLabel.get(label);
  if (!byMethod) {
    byMethod = new Map();
    byLabel.set(label, byMethod);
  }
  let byStatus = byMethod.get(method);
  if (!byStatus) {
    byStatus = new Map();
    byMethod.set(method, byStatus);
  }
  let tags = byStatus.get(status);
  if (!tags) {
    tags = internTags(
      scenarioTags,
      {},
      { method, status: String(status), name: label },
      undefined,
      "http",
      `${method}\u0000${status}\u0000${label}`,
    );
    byStatus.set(status, tags);
  }
  return tags;
}
