// The reference fleet and its manifest: what `gauntlet up` starts and what suites read.
export * from "./manifest/index.ts";
export * from "./runtime/index.ts";
