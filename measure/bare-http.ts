// The yardstick for /health: a bare node:http server and nothing else, giving the same bytes
// Fest Lab's /health gives. `npm run bench -- bench` starts it as its own process, the way it
// starts the lab, so both are measured alike. PORT and HOST as for the lab.
//
// With COUNTED=1 it also runs what the ground truth and the fault checks do to every request,
// with Fest Lab's own classes (a truth watcher, an idle fault check): the difference between
// the two is their cost alone, which issue 12 caps at 10 % of /health's throughput.
import { createServer, type RequestListener } from "node:http";
import { Faults } from "../src/faults/faults.js";
import { FaultInjector } from "../src/faults/inject.js";
import { NO_FAULTS } from "../src/faults/spec.js";
import { watchRequests } from "../src/observe/request-watch.js";
import { GroundTruth } from "../src/truth/truth.js";
import { VERSION, VERSION_HEADER } from "../src/version.js";

const body = JSON.stringify({ status: "ok", version: VERSION });
const headers = {
  "content-type": "application/json; charset=utf-8",
  "content-length": Buffer.byteLength(body),
  "cache-control": "no-store",
  [VERSION_HEADER]: VERSION,
};

const bare: RequestListener = (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
};

function counted(handler: RequestListener): RequestListener {
  const truth = new GroundTruth();
  truth.knowRoutes(["/health"]);
  const faults = new Faults(NO_FAULTS, 1, false, truth);
  const injector = new FaultInjector(faults, {
    markFault: (res, kind) => truth.markFault(res, kind),
    countIgnoredHeaders: () => truth.countIgnoredHeaders(),
  });
  return watchRequests([truth], injector.withHealthFaults(handler));
}

const server = createServer(process.env.COUNTED === "1" ? counted(bare) : bare);
server.keepAliveTimeout = 65_000; // as the lab's server
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
process.once("SIGINT", () => server.close(() => process.exit(0)));
