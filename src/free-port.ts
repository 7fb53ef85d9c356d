// A port no one listens on now, on 127.0.0.1: the kernel picks it for a listener that closes
// at once. Another process could take it before the caller listens, which is why callers
// (the services' supervisor, the measuring harness) retry or fail with a clear line.
import { once } from "node:events";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  return typeof address === "object" && address !== null ? address.port : 0;
}
