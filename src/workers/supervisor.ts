// WORKERS=N: the supervisor (cluster primary). It seeds the database once, starts N workers
// that each run the normal server on the shared port (the supervisor serves no HTTP), starts again a worker that dies
// (with a backoff when they keep dying), and on SIGTERM or Ctrl+C drains every worker.
// The lesson: the crash that takes one process down now costs one worker for a moment.

import cluster, { type Worker } from "node:cluster";
import { randomBytes } from "node:crypto";
import { bannerText } from "../banner.js";
import type { Config } from "../config.js";
import { hostInUrl } from "../connection/http-shell.js";
import { loadOrTrainModel } from "../digits/lab.js";
import { planText } from "../faults/spec.js";
import { prepareGroupData } from "../first-start/group-data.js";
import type { Logger } from "../observe/log.js";
import { Switches } from "../switches.js";
import { nextQuickDeaths, restartDelayMs } from "./backoff.js";
import { type GroupMonitor, startGroupMonitor } from "./group-monitor.js";
import { GroupState } from "./group-state.js";
import { isWorkerMessage } from "./messages.js";

/** One place in the group; its worker changes each time one dies and is replaced. */
interface Slot {
  number: number;
  worker: Worker;
  startedAt: number;
  quickDeaths: number;
  listening: boolean;
  /** When the worker this one replaces died, and its pid: for the "is back" line. */
  replacing?: { pid: number | undefined; diedAt: number };
  restartTimer?: NodeJS.Timeout;
}

export async function superviseWorkers(config: Config, log: Logger): Promise<void> {
  // Seed once, here: N workers opening an empty file at once would all try to fill it.
  // The model too: N workers finding no model file would each train one at the same time.
  // Both in a process that ends, so the supervisor keeps none of that memory (src/first-start/).
  const { seeded, trained, counts, dbName } = await prepareGroupData(config, log);
  const loaded = loadOrTrainModel(config.modelPath, undefined, (line) => log.info(line));
  const model = { ...loaded, trained: loaded.trained || trained };

  const monitor: GroupMonitor | undefined =
    config.monitorCsv !== undefined ? startGroupMonitor(config.monitorCsv) : undefined;
  const switches = Switches.fromStartup(config);
  switches.onChange((name, on, by) =>
    log.warn(`switch ${name} turned ${on ? "on" : "off"} by ${by}`),
  );

  const slots = new Map<number, Slot>();
  const slotOf = (worker: Worker) => [...slots.values()].find((slot) => slot.worker === worker);
  const liveWorkers = () =>
    [...slots.values()].map((slot) => slot.worker).filter((worker) => worker.isConnected());
  const state = new GroupState({
    switches,
    // Every worker signs and reads session cookies with the same secret, so a login on one
    // worker holds on the next request, whichever worker gets it.
    sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
    reportUsage: monitor !== undefined,
    log,
    workers: liveWorkers,
    listening: () => [...slots.values()].filter((slot) => slot.listening).length,
  });

  let everListened = false;
  let shuttingDown = false;
  let port = config.port;

  const start = (number: number, quickDeaths = 0, replacing?: Slot["replacing"]) => {
    const worker = cluster.fork();
    slots.set(number, {
      number,
      worker,
      startedAt: Date.now(),
      quickDeaths,
      listening: false,
      replacing,
    });
  };

  cluster.on("message", (worker, message: unknown) => {
    if (!isWorkerMessage(message)) return; // prom-client's and Node's own messages
    if (message.type === "fest-lab:usage") monitor?.report(worker.id, message.sample);
    else if (message.type === "fest-lab:set-switch")
      state.handle(worker, {
        ...message,
        by: `${message.by} (via worker ${slotOf(worker)?.number})`,
      });
    else state.handle(worker, message);
  });

  let announced: () => void = () => {};
  const allListening = new Promise<void>((resolve) => {
    announced = resolve;
  });

  cluster.on("listening", (worker, address) => {
    const slot = slotOf(worker);
    if (slot === undefined) return;
    slot.listening = true;
    everListened = true;
    port = address.port;
    if (slot.replacing !== undefined) {
      log.warn(
        `worker ${slot.number} is back: pid ${worker.process.pid} answering ${Date.now() - slot.replacing.diedAt} ms after pid ${slot.replacing.pid} died`,
      );
    }
    if ([...slots.values()].every((each) => each.listening)) announced();
  });

  cluster.on("exit", (worker, code, signal) => {
    monitor?.forget(worker.id);
    const slot = slotOf(worker);
    if (slot === undefined || slot.worker !== worker) return;
    slot.listening = false;
    const pid = worker.process.pid;
    if (shuttingDown) {
      slots.delete(slot.number);
      if (slots.size === 0) finishShutdown();
      return;
    }
    if (!everListened) {
      // No worker ever started: a bad setting or a port in use, which its line above names.
      // Restarting would only print that line again and again.
      log.error(`worker ${slot.number} (pid ${pid}) could not start; stopping the group`);
      for (const other of slots.values()) other.worker.process.kill("SIGTERM");
      process.exit(1);
    }
    const quickDeaths = nextQuickDeaths(slot.quickDeaths, Date.now() - slot.startedAt);
    const delay = restartDelayMs(quickDeaths);
    const died = Date.now();
    log.warn(
      `worker ${slot.number} (pid ${pid}) exited ${exitReason(code, signal)}; ${
        delay === 0
          ? "starting a new one now"
          : `starting a new one in ${delay} ms (${quickDeaths} deaths in a row soon after starting)`
      }`,
    );
    state.restarts.inc();
    const restart = () => {
      if (!shuttingDown) start(slot.number, quickDeaths, { pid, diedAt: died });
    };
    if (delay === 0) restart();
    else slot.restartTimer = setTimeout(restart, delay);
  });

  const finishShutdown = () => {
    monitor?.stop();
    console.log("every worker has stopped");
    process.exit(0);
  };
  const stop = (signal: string) => {
    if (shuttingDown) {
      console.log(`${signal} again: stopping every worker at once`);
      process.exit(1);
    }
    shuttingDown = true;
    const alive = [...slots.values()].filter((slot) => slot.worker.isDead() === false);
    for (const slot of slots.values()) {
      clearTimeout(slot.restartTimer);
      if (slot.worker.isDead()) slots.delete(slot.number);
    }
    console.log(`\n${signal}: draining ${alive.length} workers (Ctrl+C again to stop at once)`);
    if (slots.size === 0) finishShutdown();
    // Each worker runs the server's own shut-down: finish what it started, then exit.
    for (const slot of alive) slot.worker.process.kill("SIGTERM");
  };
  // A second signal stops at once: the workers go with the supervisor's channel.
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  // The workers share the listening socket and the kernel hands each connection to one that
  // accepts. Node's default instead (the supervisor accepts and passes each connection on,
  // round robin) loses a connection passed to a worker in the instant it dies: the client
  // waits forever. With a crash lesson that instant is the point, so: the kernel.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let number = 1; number <= config.workers; number++) start(number);
  await allListening;
  console.log(
    bannerText({
      config,
      url: `http://${hostInUrl(config.host)}:${port}`,
      workerPids: [...slots.values()].map((slot) => slot.worker.process.pid ?? 0),
      switches,
      database: { name: dbName, seeded, ...counts },
      monitorPath: monitor?.path,
      model,
      faultsText: planText(config.faults),
    }),
  );
}

function exitReason(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  if (code === 1) return "with code 1 (an exception nothing caught, or a failed start: see above)";
  return `with code ${code}`;
}
