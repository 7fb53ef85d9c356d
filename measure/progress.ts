// One progress line that rewrites itself on a terminal, and plain lines in a log or CI.
export function showProgress(message: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K… ${message}`);
  else console.log(`… ${message}`);
}

/** Clears the progress line before a table is printed, on a terminal. */
export function clearProgress(): void {
  if (process.stdout.isTTY) process.stdout.write("\r\x1b[2K");
}
