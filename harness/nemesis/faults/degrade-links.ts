import type { LinkDegradation, Network } from "../../providers/stack.ts";
import { NemesisError, type NemesisTarget } from "../target.ts";
import type { FaultContext, InjectedFault } from "./fault.ts";

/** Why `target` cannot take this degradation (undefined: it can). */
export function cannotDegrade(target: NemesisTarget, degradation: Omit<LinkDegradation, "seed">): string | undefined {
  const network = target.network;
  if (!network) return "the target has no network control (local: a stack started with --network proxy or kernel)";
  if (!network.degrade) return "the target's network cannot slow links or make them lossy";
  return network.cannotDegrade?.(degradation);
}

/** Applies the degradation with a seed drawn from the run's: heal restores every link. */
export async function degradeLinks(
  fault: string,
  degradation: Omit<LinkDegradation, "seed">,
  context: FaultContext,
): Promise<InjectedFault> {
  const { loss = 0, delayMs = 0, jitterMs = 0, rateKbit } = degradation;
  if (!(loss >= 0 && loss <= 1)) throw new NemesisError(`nemesis: ${fault}: loss must be a probability from 0 to 1, got ${loss}`);
  if (!(delayMs >= 0 && jitterMs >= 0)) throw new NemesisError(`nemesis: ${fault}: delayMs and jitterMs must be 0 or more`);
  if (rateKbit !== undefined && !(Number.isInteger(rateKbit) && rateKbit > 0))
    throw new NemesisError(`nemesis: ${fault}: rateKbit must be a whole number of kbit/s above 0, got ${rateKbit}`);
  const problem = cannotDegrade(context.target, degradation);
  const network = context.target.network as Network;
  if (problem || !network.degrade) throw new NemesisError(`nemesis: cannot inject ${fault}: ${problem}`);
  const seed = Math.floor(context.random() * 0x7fffffff);
  await network.degrade({ ...degradation, seed });
  return { target: { ...degradation, seed }, heal: () => network.heal() };
}
