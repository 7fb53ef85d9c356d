// The config module: defaults, flags that mirror the environment, and one-line errors.
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../src/config.js";

function config(env: Record<string, string>, argv: string[] = []) {
  const result = readConfig({ env, argv, cpuCount: 4 });
  if (result.kind !== "config") throw new Error("help");
  return result.config;
}

function errorOf(env: Record<string, string>, argv: string[] = []): string {
  try {
    readConfig({ env, argv, cpuCount: 4 });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("defaults to 127.0.0.1:8000, optimized, db/fest.db, one pool thread a core", () => {
    expect(config({})).toMatchObject({
      host: "127.0.0.1",
      port: 8000,
      mode: "optimized",
      buggy: false,
      bugs: [],
      dbPath: "db/fest.db",
      logLevel: "info",
      cpuPoolSize: 4,
    });
  });

  it("flags do what the environment does, and win over it", () => {
    expect(
      config({ MODE: "optimized" }, [
        "--naive",
        "--buggy",
        "--port",
        "9001",
        "--bugs",
        "io-blocking",
      ]),
    ).toMatchObject({
      mode: "naive",
      buggy: true,
      port: 9001,
      bugs: ["io-blocking"],
    });
    expect(config({ PORT: "9000" }, ["--port=9002"]).port).toBe(9002);
  });

  it("BUGGY accepts 1/0, true/false, yes/no, on/off", () => {
    expect(config({ BUGGY: "true" }).buggy).toBe(true);
    expect(config({ BUGGY: "0" }).buggy).toBe(false);
    expect(errorOf({ BUGGY: "maybe" })).toBe(
      "BUGGY=maybe is not allowed: use 1 or 0 (true/false, yes/no, on/off)",
    );
  });

  it("an unknown MODE names what is allowed", () => {
    expect(errorOf({ MODE: "fast" })).toBe("MODE=fast is not allowed: use one of optimized, naive");
  });

  it("an unknown name in BUGS lists the known names", () => {
    const message = errorOf({ BUGS: "checkout-crash,nope" });
    expect(message).toMatch(
      /^BUGS names unknown behaviour "nope": known names are checkout-crash, /,
    );
    expect(message).toContain("io-blocking");
  });

  it("a port that is not a number, or out of range, is refused", () => {
    expect(errorOf({ PORT: "eighty" })).toBe(
      "PORT=eighty is not allowed: use a whole number from 0 to 65535",
    );
    expect(errorOf({ PORT: "70000" })).toMatch(/^PORT=70000 is not allowed/);
  });

  it("SHUTDOWN_GRACE_MS defaults to 15 s, longer than the longest /io, and has a flag", () => {
    expect(config({}).shutdownGraceMs).toBe(15_000);
    expect(config({ SHUTDOWN_GRACE_MS: "500" }).shutdownGraceMs).toBe(500);
    expect(config({ SHUTDOWN_GRACE_MS: "500" }, ["--shutdown-grace-ms", "0"]).shutdownGraceMs).toBe(
      0,
    );
    expect(errorOf({ SHUTDOWN_GRACE_MS: "15s" })).toBe(
      "SHUTDOWN_GRACE_MS=15s is not allowed: use a whole number from 0 to 3600000",
    );
  });

  it("TRUST_PROXY takes Express's trust proxy values: names, addresses, CIDRs, hops", () => {
    expect(config({}).trustProxy).toBeUndefined();
    expect(config({ TRUST_PROXY: "0" }).trustProxy).toBeUndefined();
    const loopback = config({ TRUST_PROXY: "loopback" }).trustProxy;
    expect(loopback?.trust("127.0.0.1", 0)).toBe(true);
    expect(loopback?.trust("::1", 0)).toBe(true);
    expect(loopback?.trust("192.0.2.7", 0)).toBe(false);
    const ranges = config({}, ["--trust-proxy", "10.0.0.0/8, 192.0.2.7"]).trustProxy;
    expect(ranges?.text).toBe("10.0.0.0/8,192.0.2.7");
    expect(ranges?.trust("10.1.2.3", 0)).toBe(true);
    expect(ranges?.trust("192.0.2.8", 0)).toBe(false);
    const hops = config({ TRUST_PROXY: "2" }).trustProxy;
    expect([0, 1, 2].map((hop) => hops?.trust("192.0.2.1", hop))).toEqual([true, true, false]);
  });

  it("a TRUST_PROXY that is no address, or trusts everyone, is refused in one line", () => {
    expect(errorOf({ TRUST_PROXY: "nginx.local" })).toMatch(
      /^TRUST_PROXY=nginx\.local is not allowed: invalid IP address: nginx\.local: use the number of proxies in front \(1\), or their addresses/,
    );
    expect(errorOf({ TRUST_PROXY: "true" })).toMatch(
      /^TRUST_PROXY=true is not allowed: trusting every address lets any client name any address/,
    );
    expect(errorOf({ TRUST_PROXY: "10.0.0.0/99" })).toMatch(
      /^TRUST_PROXY=10\.0\.0\.0\/99 is not allowed: /,
    );
  });

  it("QUERY_USER_WRITES is off unless asked for, by env or flag", () => {
    expect(config({}).queryUserWrites).toBe(false);
    expect(config({ QUERY_USER_WRITES: "1" }).queryUserWrites).toBe(true);
    expect(config({}, ["--query-user-writes"]).queryUserWrites).toBe(true);
    expect(errorOf({ QUERY_USER_WRITES: "sometimes" })).toMatch(
      /^QUERY_USER_WRITES=sometimes is not allowed/,
    );
  });

  it("an unknown flag is refused with a pointer to --help", () => {
    expect(errorOf({}, ["--bogus"])).toMatch(/Unknown option '--bogus'.*--help/);
  });

  it("WORKERS (or --workers) asks for a supervised group; unset or 0 is one process", () => {
    expect(config({}).workers).toBe(0);
    expect(config({ WORKERS: "2" }).workers).toBe(2);
    expect(config({ WORKERS: "2" }, ["--workers", "3"]).workers).toBe(3);
    expect(errorOf({ WORKERS: "65" })).toBe(
      "WORKERS=65 is not allowed: use a whole number from 0 to 64",
    );
  });

  it("with workers, /cpu threads are divided so the group uses about one per core", () => {
    // cpuCount is 4 here.
    expect(config({ WORKERS: "2" }).cpuPoolSize).toBe(2);
    expect(config({ WORKERS: "8" }).cpuPoolSize).toBe(1);
    expect(config({ WORKERS: "2", CPU_POOL_SIZE: "3" }).cpuPoolSize).toBe(3);
  });

  it("--help asks for the usage text", () => {
    expect(readConfig({ env: {}, argv: ["--help"], cpuCount: 1 }).kind).toBe("help");
  });
});
