// Every problem that stops a start (a bad setting, a port in use, an unreadable file) is one
// of these: src/server.ts prints its message as one line and exits 1, with no stack, because
// the message already says what to change. Anything else is a bug and keeps its stack.
export class StartupError extends Error {
  override name = "StartupError";
}
