// Matches IPC replies to the questions that asked for them, by id, with a bound on the
// wait: a process that died or hangs must not hold an admin answer or a scrape forever.
// One object per supervisor or worker, never module state.
export class PendingReplies<T> {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: T | undefined) => void>();

  /** A fresh id and its reply: undefined when none came within timeoutMs, or on giveUp(id). */
  expect(timeoutMs: number): { id: number; reply: Promise<T | undefined> } {
    const id = this.nextId++;
    const reply = new Promise<T | undefined>((resolve) => {
      const finish = (value: T | undefined) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(value);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.waiting.set(id, finish);
    });
    return { id, reply };
  }

  settle(id: number, value: T): void {
    this.waiting.get(id)?.(value);
  }

  giveUp(id: number): void {
    this.waiting.get(id)?.(undefined);
  }
}
