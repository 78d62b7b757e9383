// HTTP server for bench/load-anchors.ts, in its own process so it does not share the
// generator's event loop. GET /fast answers at once; GET /delay holds each request for a known
// delay (a deterministic sequence, uniform 20–119 ms) and keeps what it actually held;
// GET /truth returns those hold times (ms) and resets them. Prints its port on stdout.
import { createServer } from "node:http";

let n = 0;
let held: number[] = [];
const server = createServer((req, res) => {
  if (req.url === "/truth") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(held));
    held = [];
    n = 0;
    return;
  }
  if (req.url === "/delay") {
    const arrived = performance.now();
    const delayMs = 20 + ((n++ * 37) % 100);
    setTimeout(() => {
      held.push(performance.now() - arrived);
      res.end("ok");
    }, delayMs);
    return;
  }
  res.end("ok");
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
