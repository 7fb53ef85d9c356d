// Runs once before every test file. It trains one tiny digits model (a second or two) that every
// test server reads, so no test pays for a full training, and seeds one small database that
// every test server starts on a copy of, so no server forks a process to seed its own. When the
// first test asks for them, it trains the real model (the default plan, several seconds of one
// core) in a child process, once for the run instead of once per test that needs it
// (test/helpers/real-model.ts), and starts one Chromium for the whole run
// (test/helpers/chromium.ts): a browser's start is seconds of CPU. A run that needs neither
// (most single files) pays for neither.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../src/database.js";
import { trainModelFile } from "../src/digits/first-start.js";
import { DEFAULT_TRAINING, type TrainingPlan } from "../src/digits/train.js";
import { projectRoot } from "../src/paths.js";
import type { SharedChromiumFiles } from "./helpers/chromium.js";
import { SMALL_SEED } from "./helpers/small-seed.js";

/** Enough to answer most held-out digits right; far too small for the lab's figures. */
export const TINY_TRAINING: TrainingPlan = {
  ...DEFAULT_TRAINING,
  hidden: 16,
  epochs: 1,
  digits: 1_000,
};

/** Where the real model goes, and the files that ask for it and say it is done or failed. */
export interface RealModelFiles {
  /** Written by a test that needs the real model: the training starts then. */
  request: string;
  path: string;
  /** Written (whole, by a rename) once the model is saved: its training's progress lines. */
  ready: string;
  /** Written if the training failed: what it printed. */
  failed: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** A tiny trained model file, shared read-only by the test servers. */
    tinyModelPath: string;
    /** A database seeded at the small seed: the test servers each start on a copy of it. */
    smallSeedDbPath: string;
    /** The real model, trained in the background from the default plan: wait for `ready`. */
    realModel: RealModelFiles;
    /** One Chromium for every test that needs a browser, started when the first asks. */
    sharedChromium: SharedChromiumFiles;
  }
}

/**
 * The real model's training as a first start does it, in the built code (the tests spawn the
 * built server too): a child process of its own, so the run's workers start at once beside it.
 * It prints each progress line as JSON, for the test that checks what a training says.
 */
const TRAIN_REAL_MODEL = `
const [firstStart, train, path] = process.argv.slice(1);
const { trainModelFile } = await import(firstStart);
const { DEFAULT_TRAINING } = await import(train);
trainModelFile(path, DEFAULT_TRAINING, (line) => console.log(JSON.stringify(line)));
`;

function startRealModelTraining(files: RealModelFiles): () => Promise<void> {
  const built = (file: string) => pathToFileURL(join(projectRoot, "dist", "src", "digits", file));
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      TRAIN_REAL_MODEL,
      built("first-start.js").href,
      built("train.js").href,
      files.path,
    ],
    { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  /** Set when the run ends first (a run of files that do not need it): its folder is going. */
  let stopped = false;
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const fail = (why: string) => {
    if (!stopped) {
      writeFileSync(files.failed, `${why} (is it built? npm run build)\n${stderr}${stdout}`);
    }
  };
  child.on("error", (error) => fail(`the training process did not start: ${error.message}`));
  // "close", not "exit": every line it printed has been read.
  child.on("close", (code, signal) => {
    if (stopped) return;
    if (code !== 0) {
      fail(`the training process exited with code ${code}, signal ${signal}`);
      return;
    }
    const progress = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string);
    // Whole or not at all: a test that sees the file reads every line.
    writeFileSync(`${files.ready}.tmp`, JSON.stringify({ progress }));
    renameSync(`${files.ready}.tmp`, files.ready);
  });
  return async () => {
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
}

/**
 * Starts a piece of the run's shared work once a test asks for it (writes `request`): a run of
 * files that need none of it (most single files) pays nothing. Resolves to its stop.
 */
function onRequest(
  request: string,
  start: () => Promise<() => Promise<void>> | (() => Promise<void>),
): { stop(): Promise<void> } {
  let started: Promise<() => Promise<void>> | undefined;
  const watch = setInterval(() => {
    if (started !== undefined || !existsSync(request)) return;
    clearInterval(watch);
    started = Promise.resolve().then(start);
  }, 100);
  watch.unref();
  return {
    async stop() {
      clearInterval(watch);
      const stop = await started?.catch(() => undefined);
      await stop?.();
    },
  };
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-model-"));
  const realModel: RealModelFiles = {
    request: join(dir, "digits-model-real.request"),
    path: join(dir, "digits-model-real.json"),
    ready: join(dir, "digits-model-real.ready.json"),
    failed: join(dir, "digits-model-real.failed.txt"),
  };
  const real = onRequest(realModel.request, () => startRealModelTraining(realModel));
  project.provide("realModel", realModel);
  const chromium: SharedChromiumFiles = {
    request: join(dir, "chromium.request"),
    endpoint: join(dir, "chromium.endpoint"),
    failed: join(dir, "chromium.failed.txt"),
  };
  const browser = onRequest(chromium.request, async () =>
    (await import("./helpers/chromium.js")).startSharedChromium(chromium),
  );
  project.provide("sharedChromium", chromium);
  const path = join(dir, "digits-model.json");
  trainModelFile(path, TINY_TRAINING, () => {});
  project.provide("tinyModelPath", path);
  const seeded = join(dir, "small-seed.db");
  openDatabase(seeded, SMALL_SEED).db.close();
  project.provide("smallSeedDbPath", seeded);
  return async () => {
    await real.stop();
    await browser.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
