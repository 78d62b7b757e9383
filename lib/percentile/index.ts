export { nearestRank, percentile } from "./percentile.ts";
