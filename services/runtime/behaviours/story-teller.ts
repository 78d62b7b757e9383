import { DownstreamFault } from "../downstream.ts";
import { sampleLatency, sleep } from "../latency.ts";
import type { DownstreamTarget } from "../replica-spec.ts";
import { ServiceFault } from "../service-fault.ts";
import type { Span } from "../trace.ts";
import type { BehaviourFactory } from "./behaviour.ts";
import { objectBody, optionalString, stringField } from "./fields.ts";

interface Hop {
  service: string;
  endpoint: string;
  traceId: string;
  spanId: string;
  parentId?: string;
}

/**
 * A multi-hop flow: look the model up (model-management.get), then ask for the text
 * (ai-integration.infer). Every hop joins the caller's trace; the answer lists the hops with
 * the span each one reported, so one trace id across three services can be checked.
 */
export const storyTeller: BehaviourFactory = async ({ spec }) => {
  const modelGet = findCall(spec.calls, "model-management", "get");
  const infer = findCall(spec.calls, "ai-integration", "infer");
  return {
    handlers: {
      compose: async (body, context) => {
        const request = objectBody(body);
        const topic = stringField(request, "topic");
        const modelId = optionalString(request, "model") ?? "story-small";
        await sleep(sampleLatency(spec.service.profile.latency));
        const model = await context.call(modelGet, { id: modelId }).catch((error: unknown) => {
          if (error instanceof DownstreamFault && error.downstreamCode === 404)
            throw ServiceFault.notFound(`model ${modelId} is not registered`);
          throw error;
        });
        const inference = await context.call(infer, { prompt: `Tell a short story about ${topic}`, model: modelId, max_tokens: 24 });
        return {
          story: (inference.body as { output: string }).output,
          model: modelId,
          traceId: context.span.traceId,
          hops: [
            hop(spec.service.name, "compose", context.span, context.span.parentId),
            hop(modelGet.service, modelGet.endpoint, model.span, context.span.spanId),
            hop(infer.service, infer.endpoint, inference.span, context.span.spanId),
          ],
        };
      },
    },
  };
};

function findCall(calls: DownstreamTarget[], behaviour: string, endpoint: string): DownstreamTarget {
  const target = calls.find((c) => c.behaviour === behaviour && c.endpoint === endpoint);
  if (!target) throw new Error(`story-teller needs a call to a ${behaviour} service's ${endpoint} endpoint`);
  return target;
}

function hop(service: string, endpoint: string, span: Span | undefined, parentId: string | undefined): Hop {
  if (!span) throw ServiceFault.internal(`${service}.${endpoint} answered without a traceparent header`);
  return { service, endpoint, traceId: span.traceId, spanId: span.spanId, ...(parentId ? { parentId } : {}) };
}
