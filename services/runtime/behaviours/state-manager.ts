import { Kvm } from "@nats-io/kv";
import { ServiceFault } from "../service-fault.ts";
import type { BehaviourFactory } from "./behaviour.ts";
import { integerField, isRevisionConflict, KV_KEY, objectBody, retryWhileElecting, stringField } from "./fields.ts";

/**
 * State in the service's KV bucket. `cas` is compare-and-set by revision: it writes only if
 * the key's current revision is the one given (0: only if the key does not exist) and answers
 * 409 otherwise. A create repeated with the value already stored is answered, not refused, so a
 * client may retry a create whose answer it lost.
 */
export const stateManager: BehaviourFactory = async ({ spec, nc }) => {
  const bucket = spec.service.kv[0]?.bucket as string;
  const kv = await retryWhileElecting(() => new Kvm(nc).open(bucket));
  await retryWhileElecting(() =>
    kv.create("welcome", JSON.stringify({ message: "hello from state-manager" })).catch((error: unknown) => {
      if (!isRevisionConflict(error)) throw error;
      return 0;
    }),
  );
  const current = async (key: string) => {
    const entry = await kv.get(key);
    return entry && entry.operation === "PUT" ? entry : undefined;
  };
  return {
    handlers: {
      get: async (body) => {
        const key = stringField(objectBody(body), "key", KV_KEY);
        const entry = await current(key);
        if (!entry) throw ServiceFault.notFound(`key ${key} not found`);
        return { key, value: entry.json(), revision: entry.revision };
      },
      put: async (body) => {
        const request = objectBody(body);
        const key = stringField(request, "key", KV_KEY);
        if (!("value" in request)) throw ServiceFault.badRequest("value: required");
        return { key, revision: await kv.put(key, JSON.stringify(request.value)) };
      },
      cas: async (body) => {
        const request = objectBody(body);
        const key = stringField(request, "key", KV_KEY);
        const revision = integerField(request, "revision", 0, Number.MAX_SAFE_INTEGER);
        if (!("value" in request)) throw ServiceFault.badRequest("value: required");
        const data = JSON.stringify(request.value);
        try {
          const written = revision === 0 ? await kv.create(key, data) : await kv.update(key, data, revision);
          return { key, revision: written };
        } catch (error) {
          if (!isRevisionConflict(error)) throw error;
          const entry = await current(key);
          if (revision === 0 && entry && entry.string() === data) return { key, revision: entry.revision, unchanged: true };
          const now = entry ? `current revision is ${entry.revision}` : "the key does not exist";
          throw ServiceFault.conflict(`revision ${revision} of ${key} is not current: ${now}`);
        }
      },
    },
  };
};
