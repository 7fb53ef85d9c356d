// The load command a challenge prints, made to fit the lesson wherever it is shown (the
// challenge command, the admin page): it targets the server the student talks to (--host),
// and lets each user finish its request when the run ends (--stop-timeout 5), so Locust's
// counts and the server's agree exactly (locust-scenarios/README.md). A challenge file that
// names either itself keeps its own.

/** Seconds Locust lets a user finish its request at the end of a run. */
export const STOP_TIMEOUT_SECONDS = 5;

/** `load` with --host `host` (a base URL, no trailing slash) and --stop-timeout added. */
export function loadCommand(load: string, host: string): string {
  const words = load.trim();
  const extra: string[] = [];
  if (!/(^|\s)(-H|--host)(\s|=)/.test(words)) extra.push(`--host ${host.replace(/\/+$/, "")}`);
  if (!/(^|\s)(-s|--stop-timeout)(\s|=)/.test(words)) {
    extra.push(`--stop-timeout ${STOP_TIMEOUT_SECONDS}`);
  }
  return [words, ...extra].join(" ");
}
