export { GauntletError } from "./gauntlet-error.ts";
