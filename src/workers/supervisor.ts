// WORKERS=N: the group's members are cluster workers that each run the normal server on the
// shared port (the supervisor serves no HTTP). The loop itself (start, restart with backoff,
// drain) is the group's (src/group/supervisor.ts); this is what makes a member a worker.
// The lesson: the crash that takes one process down now costs one worker for a moment.
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { Counter, Gauge, Registry } from "prom-client";
import { bannerText } from "../banner.js";
import type { Config } from "../config.js";
import { hostInUrl } from "../connection/http-shell.js";
import { planText } from "../faults/spec.js";
import { prepareGroupData } from "../first-start/group-data.js";
import { superviseGroup } from "../group/supervisor.js";
import { describeLabs } from "../labs/list.js";
import type { Logger } from "../observe/log.js";
import { Switches } from "../switches.js";

export async function superviseWorkers(config: Config, log: Logger): Promise<void> {
  // Seed once, here: N workers opening an empty file at once would all try to fill it.
  // The model too: N workers finding no model file would each train one at the same time.
  // Both in a process that ends, so the supervisor keeps none of that memory (src/first-start/).
  const { seeded, trained, counts, dbName } = await prepareGroupData(config, log);
  // The labs run in the workers; here each describes itself for the banner.
  const labs = describeLabs(config, { trainedAtFirstStart: trained }, log);
  const switches = Switches.fromStartup(config);

  // The workers share the listening socket and the kernel hands each connection to one that
  // accepts. Node's default instead (the supervisor accepts and passes each connection on,
  // round robin) loses a connection passed to a worker in the instant it dies: the client
  // waits forever. With a crash lesson that instant is the point, so: the kernel.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // The supervisor's own figures, added to the workers' on every /metrics.
  const registry = new Registry();
  const restarts = new Counter({
    name: "festlab_worker_restarts_total",
    help: "Workers the supervisor started again after one died (WORKERS=N).",
    registers: [registry],
  });
  const group = await superviseGroup(
    {
      noun: "worker",
      keys: Array.from({ length: config.workers }, (_, index) => String(index + 1)),
      label: (key) => `worker ${key}`,
      via: (key) => `worker ${key}`,
      fork(_key, events) {
        const worker = cluster.fork();
        worker.on("listening", (address) => events.listening(address.port));
        worker.on("message", (message: unknown) => events.message(message));
        worker.on("exit", (code, signal) => events.exited(code, signal));
        return {
          pid: worker.process.pid,
          isConnected: () => worker.isConnected(),
          isDead: () => worker.isDead(),
          send: (message) => worker.send(message),
          once: (event, listener) => worker.once(event, listener),
          off: (event, listener) => worker.off(event, listener),
          kill: (signal) => worker.process.kill(signal),
        };
      },
      restarted: () => restarts.inc(),
    },
    {
      log,
      switches,
      // Every worker signs and reads session cookies with the same secret, so a login on one
      // worker holds on the next request, whichever worker gets it.
      sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
      monitorCsv: config.monitorCsv,
      registry,
      // Read once a challenge starts, by when every worker listens.
      networkTarget: () => `http://${hostInUrl(config.host)}:${group.port}`,
    },
  );
  new Gauge({
    name: "festlab_workers_listening",
    help: "Worker processes started and answering now (WORKERS=N).",
    registers: [registry],
    collect() {
      this.set(group.listeningCount());
    },
  });

  console.log(
    bannerText({
      config,
      url: `http://${hostInUrl(config.host)}:${group.port}`,
      workerPids: Array.from({ length: config.workers }, (_, index) =>
        group.pid(String(index + 1)),
      ).map((pid) => pid ?? 0),
      switches,
      database: { name: dbName, seeded, ...counts },
      monitorPath: group.monitor?.path,
      labs,
      faultsText: planText(config.faults),
    }),
  );
}
