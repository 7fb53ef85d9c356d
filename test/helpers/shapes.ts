// The three shapes of one server, started as `npm start` starts them, for the behaviour suite
// that must hold in each: one process, WORKERS=2 (a supervisor and two workers on one port) and
// SERVICES=1 (a gateway in front of separate services). A test takes the shape as a parameter
// (`describe.each(SHAPES)`), never three copies.
import { join } from "node:path";
import { expect } from "vitest";
import { type Answer, send } from "./fresh-connection.js";
import { freePort, type ServerProcess, spawnServer, waitFor } from "./process.js";

export const SHAPES = ["one process", "workers", "services"] as const;
export type Shape = (typeof SHAPES)[number];

/** The admin credential every shape in this suite is started with. */
export const SHAPE_ADMIN_TOKEN = "test-admin-token";
export const SHAPE_ADMIN = { authorization: `Bearer ${SHAPE_ADMIN_TOKEN}` } as const;

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

/**
 * The admin API of a running shape, with the credential, each request on its own connection
 * (so a group's members take turns answering): `admin` answers whatever came back,
 * `adminJson` expects a 200 and gives its JSON. `url` is read at each call: the shape starts in
 * a beforeAll.
 */
export function adminOf(url: () => string) {
  const admin = (method: string, path: string, body?: unknown): Promise<Answer> =>
    send(`${url()}${path}`, {
      method,
      headers: { ...JSON_HEADERS, ...SHAPE_ADMIN },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const adminJson = async (method: string, path: string, body?: unknown) => {
    const answer = await admin(method, path, body);
    expect(answer.status, `${method} ${path}: ${answer.body}`).toBe(200);
    return JSON.parse(answer.body);
  };
  return { admin, adminJson };
}

const SHAPE_ENV: Record<Shape, Record<string, string>> = {
  "one process": {},
  workers: { WORKERS: "2" },
  services: { SERVICES: "1" },
};

export interface RunningShape {
  shape: Shape;
  url: string;
  server: ServerProcess;
  /** SIGTERM, then waits for the exit; its code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the server in `shape` on a free 127.0.0.1 port with its data in `dir` (seed it first:
 * seededFolderForTests), and waits, bounded, for the banner it prints once every member listens.
 */
export async function startShape(
  shape: Shape,
  dir: string,
  env: Record<string, string> = {},
): Promise<RunningShape> {
  const port = await freePort();
  const server = spawnServer({
    PORT: String(port),
    DB_PATH: join(dir, "fest.db"),
    CPU_POOL_SIZE: "1",
    ADMIN_TOKEN: SHAPE_ADMIN_TOKEN,
    SESSION_SECRET: "test-secret",
    ...SHAPE_ENV[shape],
    ...env,
  });
  try {
    await waitFor(() => server.output().includes("stop:"), 60_000, `the ${shape} banner`);
  } catch (error) {
    server.child.kill("SIGKILL");
    throw error;
  }
  return {
    shape,
    url: `http://127.0.0.1:${port}`,
    server,
    async stop() {
      if (server.child.exitCode === null) server.child.kill("SIGTERM");
      return server.exited;
    },
  };
}
