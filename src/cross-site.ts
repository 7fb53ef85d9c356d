// Whether a request was sent by a page on another site: the one check that the admin API
// and every fest request that changes data share. A browser says where a request came
// from (Origin, Sec-Fetch-Site) and a page cannot forge either; curl, Locust and scripts
// send neither, so they pass. Refusing these stops cross-site request forgery, and a page
// that rebinds its own name to 127.0.0.1 (its Origin still names its own site).
import type { Request } from "express";
import { Forbidden } from "./http-errors.js";

/** Why the request came from another site, naming the header and its value; else undefined. */
export function crossSiteReason(req: Request): string | undefined {
  const site = req.get("sec-fetch-site");
  // "none" is the user's own doing: typed in the address bar, a bookmark.
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return `Sec-Fetch-Site is "${site}", not same-origin`;
  }
  const origin = req.get("origin");
  if (origin !== undefined) {
    const host = req.get("host");
    const from = originHost(origin);
    if (from === undefined || host === undefined || from !== normalHost(host, origin)) {
      return `Origin is "${origin}", but the request is for Host "${host ?? ""}"`;
    }
  }
  return undefined;
}

/** Throws 403 naming the header when the request came from another site. */
export function refuseCrossSite(req: Request, action: string): void {
  const reason = crossSiteReason(req);
  if (reason !== undefined) {
    throw new Forbidden(`${action} is refused from another site: ${reason}`);
  }
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.host === "" ? undefined : url.host; // "null" and other opaque origins never match
  } catch {
    return undefined;
  }
}

/** The Host header as URL writes a host: lower case, without the scheme's default port. */
function normalHost(host: string, origin: string): string | undefined {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined; // no user@, no path: a plain host
  try {
    return new URL(`${new URL(origin).protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}
