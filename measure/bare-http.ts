// The yardstick for /health: a bare node:http server and nothing else, giving the same bytes
// Fest Lab's /health gives. `npm run bench -- bench` starts it as its own process, the way it
// starts the lab, so both are measured alike. PORT and HOST as for the lab.
import { createServer } from "node:http";
import { VERSION, VERSION_HEADER } from "../src/version.js";

const body = JSON.stringify({ status: "ok", version: VERSION });
const headers = {
  "content-type": "application/json; charset=utf-8",
  "content-length": Buffer.byteLength(body),
  "cache-control": "no-store",
  [VERSION_HEADER]: VERSION,
};

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000; // as the lab's server
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
process.once("SIGINT", () => server.close(() => process.exit(0)));
