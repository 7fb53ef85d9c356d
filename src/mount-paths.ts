// Mounting a router for the requests under a few paths only, keeping the paths whole.
//
// app.use(router) without a path hands the router every request. Express's router tries each
// of its routes on it and, when none answers, leaves on the next turn of the event loop (a
// setImmediate), so a request walked every router mounted before its own: /api/id/... ran the
// matchers of /metrics, the admin, /runs, bench and digits, allocated about 25 KB doing it,
// and waited five turns, behind every other connection's work, before the catalogue saw it.
//
// app.use("/api", router) hands the router only /api requests, but strips "/api" from req.url,
// and the router's own "/api/id/:id" would match nothing. A pattern that matches no characters
// (a lookahead on the first segment) strips nothing: the router sees the path whole, and its
// routes stay written as a reader finds them in the address bar.

/** A path's first segment, as a router's prefix: "/api" stands for /api and /api/anything. */
const SEGMENT = /^\/[A-Za-z0-9._~-]+$/;

/**
 * The mount path for a router whose every route starts with one of `paths` ("/api",
 * "/status"). Matched as Express matches its own paths: any case (Express's default), a
 * prefix only at a "/" or the path's end.
 */
export function underPaths(paths: readonly string[]): RegExp {
  if (paths.length === 0) throw new Error("underPaths needs at least one path");
  const segments = paths.map((path) => {
    if (!SEGMENT.test(path)) {
      throw new Error(`underPaths takes one whole first segment such as "/api", not ${path}`);
    }
    return path.slice(1).replace(/\./g, "\\.");
  });
  return new RegExp(`^(?=/(?:${segments.join("|")})(?:/|$))`, "i");
}
