// The path as the service that answers it will route it, so every rule of the gateway (the
// admin door, the internal routes' refusal, which upstream takes a request) sees what that
// service's router sees. Express 5's router, as the services use it:
//   - compares paths case-insensitively: /ADMIN/switches is /admin/switches;
//   - takes one trailing slash as none (it is not "strict"): /admin/ is /admin;
//   - does not decode %-escapes before matching: /%61dmin is not /admin, for either side.
// And the gateway forwards a path with its repeated slashes folded into one (see
// forwardedUrl), so //admin//switches reaches the service as /admin/switches.
// A check that compared the raw path, case-sensitively, let /ADMIN/switches and
// //admin/switches through the gateway's admin door to a router that answered them as /admin.

/** req.url with repeated slashes in its path folded into one, the query untouched. */
export function forwardedUrl(url: string): string {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.includes("//")) return url;
  return path.replace(/\/{2,}/g, "/") + (query === -1 ? "" : url.slice(query));
}

/** The path of a forwarded URL as the router compares it: lower case, no trailing slash. */
export function routedPath(url: string): string {
  const query = url.indexOf("?");
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** True for the prefix itself and every path below it: /admin, /admin/switches; not /adminx. */
export function isUnder(path: string, prefix: string): boolean {
  const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return path === bare || path.startsWith(`${bare}/`);
}
