export { type ClientChoice, type ClientProfile, type NatsAccess, natsConnectionOptions } from "./connection-options.ts";
