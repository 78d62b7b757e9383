export { HttpClientError } from "./client-error.ts";
export { type Abortable, type HttpRequestSpec, parseUrl, type RawResponse } from "./message.ts";
export { OriginClient, trustingCa } from "./origin-client.ts";
