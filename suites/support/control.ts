import type { Target } from "../../harness/config/index.ts";
import { ControlClient } from "../../harness/control/index.ts";

/** The harness's control API when it runs the stack itself; absent for a system someone else runs. */
export function suiteControl(target: Target): ControlClient | undefined {
  return target.control ? new ControlClient(target.control.url, target.control.token) : undefined;
}
