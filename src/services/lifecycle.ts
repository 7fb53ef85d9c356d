// How a service process ends, under the supervisor or alone: an exception nothing caught
// (checkout-crash-process) exits it with code 1 and says which service went; a stop signal
// drains it and exits 0.

/** checkout-crash-process lands here on purpose: this service goes, the others stay. */
export function exitOnCrash(service: string, after: string): void {
  process.on("uncaughtException", (error) => {
    process.stderr.write(
      `ERROR:    the ${service} service is exiting: an exception nothing caught took it down (${after})\n${error.stack ?? error}\n`,
    );
    process.exit(1);
  });
}

/** The first of `signals` drains (close), then exits 0, or 1 when the drain itself failed. */
export function drainOn(
  signals: (NodeJS.Signals | "disconnect")[],
  close: () => Promise<unknown>,
): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of signals) process.on(signal, stop);
}
