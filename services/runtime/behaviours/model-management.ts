import { Kvm } from "@nats-io/kv";
import { ServiceFault } from "../service-fault.ts";
import type { BehaviourFactory } from "./behaviour.ts";
import { integerField, isRevisionConflict, KV_KEY, objectBody, retryWhileElecting, stringField } from "./fields.ts";

interface Model {
  id: string;
  name: string;
  version: string;
  contextWindow: number;
}

const SEED_MODELS: Model[] = [
  { id: "story-small", name: "Story small", version: "1.0.0", contextWindow: 4096 },
  { id: "story-large", name: "Story large", version: "2.1.0", contextWindow: 32768 },
  { id: "moderation", name: "Moderation classifier", version: "0.9.3", contextWindow: 2048 },
];

/** Model registry in the service's KV bucket, seeded with a few models (first replica wins). */
export const modelManagement: BehaviourFactory = async ({ spec, nc }) => {
  const bucket = spec.service.kv[0]?.bucket as string;
  const kv = await retryWhileElecting(() => new Kvm(nc).open(bucket));
  for (const model of SEED_MODELS) {
    await retryWhileElecting(() =>
      kv.create(model.id, JSON.stringify(model)).catch((error: unknown) => {
        if (!isRevisionConflict(error)) throw error;
        return 0;
      }),
    );
  }
  const read = async (id: string): Promise<Model | undefined> => {
    const entry = await kv.get(id);
    return entry && entry.operation === "PUT" ? entry.json<Model>() : undefined;
  };
  return {
    handlers: {
      list: async () => {
        const models: Model[] = [];
        for await (const id of await kv.keys()) {
          const model = await read(id);
          if (model) models.push(model);
        }
        models.sort((a, b) => a.id.localeCompare(b.id));
        return { models };
      },
      get: async (body) => {
        const id = stringField(objectBody(body), "id", KV_KEY);
        const model = await read(id);
        if (!model) throw ServiceFault.notFound(`model ${id} is not registered`);
        return model;
      },
      register: async (body) => {
        const request = objectBody(body);
        const model: Model = {
          id: stringField(request, "id", KV_KEY),
          name: stringField(request, "name"),
          version: stringField(request, "version"),
          contextWindow: integerField(request, "contextWindow", 1, 10_000_000),
        };
        const revision = await kv.put(model.id, JSON.stringify(model));
        return { model, revision };
      },
    },
  };
};
