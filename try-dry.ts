import { writeFileSync } from "node:fs";
import { AwsClients, buildEmulatedWorld, MotoServer } from "./harness/providers/aws/index.ts";

const moto = await MotoServer.start();
await moto.manualTaskTransitions();
const c = new AwsClients({ region: "eu-west-1", endpoint: moto.endpoint, execute: true });
await buildEmulatedWorld(c, {
  region: "eu-west-1",
  services: ["alpha-nats"],
  gatewayService: "gw",
  tags: { "gauntlet:chaos": "allowed" },
  alarms: ["a1"],
});
writeFileSync(
  "/tmp/dry.yaml",
  `name: dry\naws:\n  region: eu-west-1\n  endpoint: ${moto.endpoint}\n  nats: { asg: nats-prod }\n  ecs: { cluster: prod, gateway_service: gw }\n  safety:\n    allow_tags: { "gauntlet:chaos": allowed }\n`,
);
console.log("ready", process.pid);
setTimeout(() => moto.stop(), 120_000);
