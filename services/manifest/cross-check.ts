import type { Manifest } from "./types.ts";

/** A problem found by looking across services: where (a field path) and what. */
export interface CrossProblem {
  path: (string | number)[];
  problem: string;
}

const REQUIRED_ENDPOINTS: Record<string, string[]> = {
  "ai-integration": ["infer"],
  "model-management": ["list", "get", "register"],
  "state-manager": ["get", "put", "cas"],
  "story-teller": ["compose"],
  "event-bus": ["publish", "stats"],
};

/** Unique names and subjects, calls that name real endpoints, no call cycles, behaviours that have what they need. */
export function crossCheck(manifest: Omit<Manifest, "file">): CrossProblem | undefined {
  return (
    firstDuplicate(
      manifest,
      "service name",
      (s) => s.name,
      (i) => ["services", i, "name"],
    ) ??
    endpointProblems(manifest) ??
    storageProblems(manifest) ??
    callProblems(manifest) ??
    behaviourProblems(manifest)
  );
}

function firstDuplicate<T>(
  manifest: Omit<Manifest, "file">,
  what: string,
  key: (service: Manifest["services"][number]) => T,
  path: (index: number) => (string | number)[],
): CrossProblem | undefined {
  const seen = new Map<T, number>();
  for (const [index, service] of manifest.services.entries()) {
    const value = key(service);
    const first = seen.get(value);
    if (first !== undefined) return { path: path(index), problem: `duplicate ${what} ${String(value)} (also services[${first}])` };
    seen.set(value, index);
  }
  return undefined;
}

function endpointProblems(manifest: Omit<Manifest, "file">): CrossProblem | undefined {
  const subjects = new Map<string, string>();
  for (const [s, service] of manifest.services.entries()) {
    const names = new Set<string>();
    for (const [e, endpoint] of service.endpoints.entries()) {
      if (names.has(endpoint.name))
        return { path: ["services", s, "endpoints", e, "name"], problem: `duplicate endpoint name ${endpoint.name}` };
      names.add(endpoint.name);
      const owner = subjects.get(endpoint.subject);
      if (owner)
        return { path: ["services", s, "endpoints", e, "subject"], problem: `subject ${endpoint.subject} is already used by ${owner}` };
      subjects.set(endpoint.subject, `${service.name}.${endpoint.name}`);
    }
  }
  return undefined;
}

function storageProblems(manifest: Omit<Manifest, "file">): CrossProblem | undefined {
  const streams = new Map<string, string>();
  const buckets = new Map<string, string>();
  for (const [s, service] of manifest.services.entries()) {
    for (const [i, stream] of service.streams.entries()) {
      const owner = streams.get(stream.name);
      if (owner) return { path: ["services", s, "streams", i, "name"], problem: `stream ${stream.name} is already owned by ${owner}` };
      streams.set(stream.name, service.name);
    }
    for (const [i, kv] of service.kv.entries()) {
      const owner = buckets.get(kv.bucket);
      if (owner) return { path: ["services", s, "kv", i, "bucket"], problem: `KV bucket ${kv.bucket} is already owned by ${owner}` };
      buckets.set(kv.bucket, service.name);
    }
  }
  return undefined;
}

function callProblems(manifest: Omit<Manifest, "file">): CrossProblem | undefined {
  const endpoints = new Set(manifest.services.flatMap((s) => s.endpoints.map((e) => `${s.name}.${e.name}`)));
  for (const [s, service] of manifest.services.entries()) {
    for (const [c, call] of service.calls.entries()) {
      if (!endpoints.has(call)) {
        return { path: ["services", s, "calls", c], problem: `${call} is not an endpoint in this manifest (write service.endpoint)` };
      }
      if (call.startsWith(`${service.name}.`)) return { path: ["services", s, "calls", c], problem: `${service.name} cannot call itself` };
    }
  }
  const cycle = findCallCycle(manifest);
  if (cycle) {
    const index = manifest.services.findIndex((s) => s.name === cycle[0]);
    return { path: ["services", index, "calls"], problem: `calls form a cycle: ${cycle.join(" → ")}` };
  }
  return undefined;
}

function findCallCycle(manifest: Omit<Manifest, "file">): string[] | undefined {
  const callees = new Map(manifest.services.map((s) => [s.name, [...new Set(s.calls.map((c) => c.split(".")[0] as string))]]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (state.get(name) === "visiting") return [...trail.slice(trail.indexOf(name)), name];
    if (state.get(name) === "done") return undefined;
    state.set(name, "visiting");
    for (const next of callees.get(name) ?? []) {
      const cycle = visit(next, [...trail, name]);
      if (cycle) return cycle;
    }
    state.set(name, "done");
    return undefined;
  };
  for (const service of manifest.services) {
    const cycle = visit(service.name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

function behaviourProblems(manifest: Omit<Manifest, "file">): CrossProblem | undefined {
  for (const [s, service] of manifest.services.entries()) {
    const missing = (REQUIRED_ENDPOINTS[service.behaviour] ?? []).filter((name) => !service.endpoints.some((e) => e.name === name));
    if (missing.length > 0) {
      return { path: ["services", s, "endpoints"], problem: `behaviour ${service.behaviour} needs endpoint(s) ${missing.join(", ")}` };
    }
    if ((service.behaviour === "state-manager" || service.behaviour === "model-management") && service.kv.length === 0) {
      return { path: ["services", s, "kv"], problem: `behaviour ${service.behaviour} needs a KV bucket` };
    }
    if (service.behaviour === "event-bus" && service.streams.length === 0) {
      return { path: ["services", s, "streams"], problem: "behaviour event-bus needs a stream" };
    }
    if (service.behaviour === "story-teller") {
      const reached = new Set(service.calls.map((call) => behaviourOf(manifest, call)));
      const lacking = ["model-management.get", "ai-integration.infer"].filter((needed) => !reached.has(needed));
      if (lacking.length > 0)
        return { path: ["services", s, "calls"], problem: `behaviour story-teller needs calls to ${lacking.join(" and ")}` };
    }
  }
  return undefined;
}

/** `service.endpoint` → `behaviour.endpoint` of the called service. */
export function behaviourOf(manifest: Omit<Manifest, "file">, call: string): string {
  const [service, endpoint] = call.split(".");
  return `${manifest.services.find((t) => t.name === service)?.behaviour}.${endpoint}`;
}
