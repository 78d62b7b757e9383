/**
 * An answer with the micro service error headers (`Nats-Service-Error`, `Nats-Service-Error-Code`)
 * and an HTTP-like code the gateway maps to its status: 400, 404, 409, 500, 503, 504.
 */
export class ServiceFault extends Error {
  override name = "ServiceFault";
  readonly code: number;

  constructor(code: number, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }

  static badRequest(message: string): ServiceFault {
    return new ServiceFault(400, message);
  }

  static notFound(message: string): ServiceFault {
    return new ServiceFault(404, message);
  }

  static conflict(message: string): ServiceFault {
    return new ServiceFault(409, message);
  }

  static internal(message: string, cause?: unknown): ServiceFault {
    return new ServiceFault(500, message, { cause });
  }
}
