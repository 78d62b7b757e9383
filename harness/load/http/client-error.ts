import { LoadError } from "../errors.ts";

/** Why a request got no (complete) response; `code` goes in front of the message in results. */
export class HttpClientError extends LoadError {
  override name = "HttpClientError";
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  static timeout(origin: string, ms: number): HttpClientError {
    return new HttpClientError("HTTP_TIMEOUT", `${origin}: no complete response within ${ms} ms`);
  }

  static malformed(origin: string, problem: string): HttpClientError {
    return new HttpClientError("HTTP_MALFORMED", `${origin}: malformed response: ${problem}`);
  }

  static closed(origin: string, during: string): HttpClientError {
    return new HttpClientError("HTTP_CLOSED", `${origin}: the server closed the connection ${during}`);
  }

  static invalidRequest(origin: string, problem: string): HttpClientError {
    return new HttpClientError("HTTP_INVALID_REQUEST", `${origin}: ${problem}`);
  }
}
