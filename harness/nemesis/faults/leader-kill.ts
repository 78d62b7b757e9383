import { findStreamLeader } from "../leaders.ts";
import type { FaultDefinition } from "./fault.ts";

export interface KillStreamLeader {
  readonly kind: "kill-stream-leader";
  readonly stream: string;
}

/** SIGKILLs the node `/jsz` names as the stream's leader; heal starts it again. */
export const killStreamLeader: FaultDefinition<KillStreamLeader> = {
  kind: "kill-stream-leader",
  async inject(spec, context) {
    const leader = await findStreamLeader(context.target, spec.stream);
    await leader.kill();
    return {
      target: { stream: spec.stream, node: leader.name },
      heal: async () => {
        if (!leader.running) await leader.start();
      },
    };
  },
};
