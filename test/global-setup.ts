// Runs once before every test file. It trains one tiny digits model (a second or two) that every
// test server reads, so no test pays for a full training, and seeds one small database that
// every test server starts on a copy of, so no server forks a process to seed its own. It also
// starts training the real model (the default plan, several seconds of one core) in a child
// process, without waiting for it: the tests that need the real one (test/helpers/real-model.ts)
// wait for its file, and the suite trains it once instead of once per test that needs it. And
// it starts one Chromium for the whole run when the first test asks for a browser
// (test/helpers/chromium.ts): a browser's start is seconds of CPU.
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

/** Where the real model goes, and the files that say it is done or why it failed. */
export interface RealModelFiles {
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

function startRealModelTraining(dir: string): { files: RealModelFiles; stop(): void } {
  const files: RealModelFiles = {
    path: join(dir, "digits-model-real.json"),
    ready: join(dir, "digits-model-real.ready.json"),
    failed: join(dir, "digits-model-real.failed.txt"),
  };
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
  return {
    files,
    stop: () => {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/**
 * Starts the run's one browser (test/helpers/chromium.ts) once a test asks for it: a run of
 * files that need none (npm run test:quick, most single files) starts none.
 */
function sharedChromiumOnRequest(dir: string): {
  files: SharedChromiumFiles;
  stop(): Promise<void>;
} {
  const files: SharedChromiumFiles = {
    request: join(dir, "chromium.request"),
    endpoint: join(dir, "chromium.endpoint"),
    failed: join(dir, "chromium.failed.txt"),
  };
  let started: Promise<() => Promise<void>> | undefined;
  const watch = setInterval(() => {
    if (started !== undefined || !existsSync(files.request)) return;
    clearInterval(watch);
    started = import("./helpers/chromium.js").then((chromium) =>
      chromium.startSharedChromium(files),
    );
  }, 100);
  watch.unref();
  return {
    files,
    async stop() {
      clearInterval(watch);
      const stop = await started?.catch(() => undefined);
      await stop?.();
    },
  };
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-model-"));
  // First, so it runs beside the tiny model's training and the workers' start.
  const real = startRealModelTraining(dir);
  project.provide("realModel", real.files);
  const browser = sharedChromiumOnRequest(dir);
  project.provide("sharedChromium", browser.files);
  const path = join(dir, "digits-model.json");
  trainModelFile(path, TINY_TRAINING, () => {});
  project.provide("tinyModelPath", path);
  const seeded = join(dir, "small-seed.db");
  openDatabase(seeded, SMALL_SEED).db.close();
  project.provide("smallSeedDbPath", seeded);
  return async () => {
    real.stop();
    await browser.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
