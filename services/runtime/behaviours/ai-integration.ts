import { sampleLatency, sleep } from "../latency.ts";
import type { BehaviourFactory } from "./behaviour.ts";
import { objectBody, optionalInteger, optionalString, stringField } from "./fields.ts";

const VOCABULARY = ["the", "tide", "turned", "and", "a", "quiet", "light", "moved", "across", "old", "stone", "while", "someone", "waited"];

/** Simulated inference: latency from the profile, or the request's `delay_ms` (capped at the profile's maxDelay). */
export const aiIntegration: BehaviourFactory = async ({ spec }) => {
  const { profile } = spec.service;
  return {
    handlers: {
      infer: async (body) => {
        const request = objectBody(body);
        const prompt = stringField(request, "prompt");
        const model = optionalString(request, "model") ?? "story-small";
        const maxTokens = optionalInteger(request, "max_tokens", 1, 4096) ?? 48;
        const delayMs = optionalInteger(request, "delay_ms", 0, Number.MAX_SAFE_INTEGER);
        const started = performance.now();
        await sleep(Math.min(delayMs ?? sampleLatency(profile.latency), profile.maxDelayMs));
        const output = generate(prompt, maxTokens);
        return { model, output, tokens: output.split(" ").length, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      },
    },
  };
};

/** Deterministic text for a prompt: same prompt, same answer. */
function generate(prompt: string, maxTokens: number): string {
  let seed = [...prompt].reduce((hash, char) => (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0, 7);
  const words = [];
  for (let i = 0; i < Math.min(maxTokens, 24); i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    words.push(VOCABULARY[seed % VOCABULARY.length]);
  }
  return words.join(" ");
}
