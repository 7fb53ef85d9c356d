// Raw bytes over node:net, for what an HTTP client library will not send (two Host headers,
// half a request) and to see exactly when the server closes the connection.
import { connect, type Socket } from "node:net";

export interface RawConnection {
  socket: Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves with everything received once the server closes; rejects after timeoutMs. */
  closed(timeoutMs: number): Promise<string>;
}

export async function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let text = "";
  socket.on("data", (chunk) => {
    text += chunk;
  });
  socket.on("error", () => {}); // a reset is one way of being closed
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    socket,
    received: () => text,
    closed: (timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
        }, timeoutMs);
        void ended.then(() => {
          clearTimeout(timer);
          resolve(text);
        });
      }),
  };
}
