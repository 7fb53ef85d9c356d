// Where a service's URL points, parsed once a URL rather than once a request: the gateway's
// forwarder (forward.ts) and one service's calls to another (src/services/internal.ts) both
// send every request to such a URL.
export interface UpstreamAddress {
  url: string;
  /** scheme://host:port: which of the client's connection pools a request goes to. */
  origin: string;
  /** The URL's own path without its trailing slash, put before every request's path. */
  basePath: string;
}

export function upstreamAddress(url: string): UpstreamAddress {
  const parsed = new URL(url);
  return { url, origin: parsed.origin, basePath: parsed.pathname.replace(/\/$/, "") };
}
