// The two ways GET /io can wait. Both take `ms`; only one lets the server do anything else
// meanwhile.

// io-blocking: a synchronous sleep. Atomics.wait parks the whole thread, so the event loop
// freezes: no other request is read, no timer fires, /health stops answering. Concurrent
// waits run one after another, like a sync file read or a busy loop would make them.
export function sleepBlocking(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// A timer: the event loop is free while it runs, so 400 concurrent waits of 200 ms all end
// after about 200 ms. This is what waiting on a database or another service looks like.
export function waitWithTimer(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
