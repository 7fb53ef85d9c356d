// startServer's one cleanup stack: what was opened is undone last-first, every step runs even
// when one fails, and a second run has nothing left to undo.
import { describe, expect, it } from "vitest";
import { CleanupStack } from "../src/cleanup-stack.js";

describe("the cleanup stack", () => {
  it("undoes the last thing opened first", async () => {
    const undone: string[] = [];
    const cleanup = new CleanupStack();
    cleanup.add(() => undone.push("database"));
    cleanup.add(async () => {
      await Promise.resolve();
      undone.push("thread pool");
    });
    cleanup.add(() => undone.push("http"));
    await cleanup.run();
    expect(undone).toEqual(["http", "thread pool", "database"]);
  });

  it("runs every step when one fails, then throws the first failure", async () => {
    const undone: string[] = [];
    const cleanup = new CleanupStack();
    cleanup.add(() => undone.push("database"));
    cleanup.add(() => {
      throw new Error("pool would not stop");
    });
    cleanup.add(() => undone.push("http"));
    await expect(cleanup.run()).rejects.toThrow("pool would not stop");
    expect(undone).toEqual(["http", "database"]);
    await cleanup.run();
    expect(undone).toEqual(["http", "database"]);
  });
});
