import { spawn, spawnSync } from "node:child_process";
import { runLoad } from "../harness/load/index.ts";

const child = spawn(process.execPath, [new URL("./load-anchor-server.ts", import.meta.url).pathname], {
  stdio: ["ignore", "pipe", "inherit"],
});
const port = await new Promise<string>((r) => child.stdout!.once("data", (d) => r(String(d).trim())));
const url = `http://127.0.0.1:${port}/fast`;
for (let round = 0; round < 2; round++) {
  const r = await runLoad({
    scenario: new URL("./load-anchor-http.ts", import.meta.url).pathname,
    target: {},
    env: { URL: url },
    duration: 3000,
    workers: 1,
    progress: false,
  });
  const ac = JSON.parse(spawnSync("node_modules/.bin/autocannon", ["-c", "50", "-d", "3", "--json", url], { encoding: "utf8" }).stdout);
  const wrk = spawnSync("wrk", ["-t1", "-c50", "-d3s", url], { encoding: "utf8" }).stdout.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
  console.log(
    "ours(1 worker)",
    ((r.metrics.http_reqs?.count ?? 0) / 3).toFixed(0),
    "autocannon(1 thread)",
    (ac.requests.total / 3).toFixed(0),
    "wrk -t1",
    wrk,
  );
}
child.kill();
