import type { LatencyProfile } from "../manifest/types.ts";

/** z-score of the 99th percentile of a standard normal distribution. */
const Z99 = 2.3263478740408408;

/** One latency draw in milliseconds; lognormal is fitted to the profile's p50 and p99. */
export function sampleLatency(profile: LatencyProfile, random: () => number = Math.random): number {
  switch (profile.distribution) {
    case "fixed":
      return profile.valueMs;
    case "uniform":
      return profile.minMs + random() * (profile.maxMs - profile.minMs);
    case "lognormal": {
      const mu = Math.log(profile.p50Ms);
      const sigma = (Math.log(profile.p99Ms) - mu) / Z99;
      return Math.exp(mu + sigma * standardNormal(random));
    }
  }
}

function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
