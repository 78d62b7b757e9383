import { LoadError } from "../errors.ts";

/** A load agent that cannot be reached, refuses the coordinator, or fails the run. */
export class AgentError extends LoadError {
  override name = "AgentError";

  static unreachable(agent: string, cause: unknown): AgentError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new AgentError(`load agent ${agent}: cannot connect: ${reason}`, { cause });
  }

  /** The agent answered 409: a run is in progress there. */
  busy = false;

  static refused(agent: string, status: number, body: string): AgentError {
    const why = status === 401 ? "refused the token" : status === 409 ? "is busy with another run" : `answered ${status}`;
    const error = new AgentError(`load agent ${agent} ${why}${body ? `: ${body}` : ""}`);
    error.busy = status === 409;
    return error;
  }

  static protocol(agent: string, problem: string): AgentError {
    return new AgentError(`load agent ${agent}: ${problem}`);
  }

  static failed(file: string, agent: string, message: string): AgentError {
    return new AgentError(`${file}: load agent ${agent} failed: ${message}`);
  }

  static invalidSpec(flag: string, value: string, problem: string): AgentError {
    return new AgentError(`${flag} ${JSON.stringify(value)}: ${problem}`);
  }

  static weakToken(where: string): AgentError {
    return new AgentError(
      `${where}: the agent token must be at least 16 characters (it lets the holder run code on the agent); e.g. openssl rand -hex 16`,
    );
  }
}
