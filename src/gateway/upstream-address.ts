// Where a service's URL points, parsed once a URL rather than once a request: the gateway's
// forwarder (forward.ts) and one service's calls to another (src/services/internal.ts) both
// send every request to such a URL, and a URL string given to http.request is parsed again on
// each call.
import * as http from "node:http";
import * as https from "node:https";

export interface UpstreamAddress {
  url: string;
  secure: boolean;
  request: typeof http.request;
  hostname: string;
  port: number;
  /** The URL's own path without its trailing slash, put before every request's path. */
  basePath: string;
}

export function upstreamAddress(url: string): UpstreamAddress {
  const parsed = new URL(url);
  // UPSTREAMS may name a service elsewhere by https://.
  const secure = parsed.protocol === "https:";
  return {
    url,
    secure,
    request: secure ? https.request : http.request,
    // new URL keeps an IPv6 host's brackets; node:http wants the bare address.
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port),
    basePath: parsed.pathname.replace(/\/$/, ""),
  };
}
