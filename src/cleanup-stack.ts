// What a start has opened, undone in reverse order: by a start that fails half-way (so a
// port in use does not leave a database and two thread pools open) and by close().
export class CleanupStack {
  private readonly steps: (() => unknown)[] = [];

  /** Registered right after the thing it undoes exists. */
  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Last added first. Every step runs even when one fails; the first failure is thrown after. */
  async run(): Promise<void> {
    let failure: unknown;
    while (this.steps.length > 0) {
      const step = this.steps.pop() as () => unknown;
      try {
        await step();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
