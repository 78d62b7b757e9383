export { percentile } from "./percentile.ts";
