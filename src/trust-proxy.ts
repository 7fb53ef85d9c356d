// TRUST_PROXY: which reverse proxies in front of the server to believe. Behind nginx every
// request comes from the proxy's address; the proxy says who the client was in
// X-Forwarded-For and whether it spoke https in X-Forwarded-Proto. Anyone can send those
// headers, so they count only from a proxy this setting names, with Express's own rule
// (its "trust proxy" values, computed by proxy-addr, which Express uses for req.ip). Unset,
// they are ignored everywhere. The Express app gets the same function (req.ip, req.secure),
// and the parts below Express (the access log) call forwardedClient.
import type { IncomingMessage } from "node:http";
import type { Express, Request } from "express";
import proxyaddr from "proxy-addr";
import { NotAllowed } from "./parsers.js";

export interface TrustProxy {
  /** As given, for the banner. */
  text: string;
  /** Express's "trust proxy" function: is the hop-th address from the server a trusted proxy? */
  trust: (address: string, hop: number) => boolean;
}

const ALLOWED =
  "use the number of proxies in front (1), or their addresses: loopback, an address, a CIDR range (10.0.0.0/8), comma-separated";

/** "loopback", "1", "10.0.0.5, 192.168.0.0/16"; "0" and "false" mean off (undefined). */
export function parseTrustProxy(text: string): TrustProxy | undefined {
  const value = text.trim();
  if (/^(0|false|off|no)$/i.test(value)) return undefined;
  if (/^(true|yes|on)$/i.test(value)) {
    // Express's `true` believes the leftmost address, which any client writes itself.
    throw new NotAllowed(`trusting every address lets any client name any address: ${ALLOWED}`);
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10)
      throw new NotAllowed(`${value} proxies is more than a class server has: ${ALLOWED}`);
    return { text: value, trust: (_address, hop) => hop < hops };
  }
  const list = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  try {
    return { text: list.join(","), trust: proxyaddr.compile(list) };
  } catch (error) {
    throw new NotAllowed(`${(error as Error).message}: ${ALLOWED}`);
  }
}

/** The client's address as Express's req.ip computes it: forwarded only through trusted proxies. */
export function forwardedClient(
  req: IncomingMessage,
  trustProxy: TrustProxy | undefined,
): string | undefined {
  if (trustProxy === undefined) return req.socket.remoteAddress;
  return proxyaddr(req, trustProxy.trust);
}

/** An Express app's req.ip and req.secure by TRUST_PROXY: the monolith's and each service's. */
export function trustProxyIn(app: Express, trustProxy: TrustProxy | undefined): void {
  if (trustProxy !== undefined) app.set("trust proxy", trustProxy.trust);
}

/**
 * The client's address: the socket's peer, or with TRUST_PROXY the address the trusted
 * proxies forwarded (Express computes req.ip from the app's "trust proxy").
 */
export function clientOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "an unknown address";
}
