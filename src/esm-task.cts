// What Piscina loads in every worker thread, for both pools (src/worker-pool.ts). Piscina
// loads a task file with require() before it tries import(), and every other file of this
// project is an ES module: on Node 20 a require() of an ES module in a worker thread now and
// then aborts the whole process with a V8 fatal error ("IsGraphAsync must be used on an
// instantiated module"; the test suite met it about once in three full runs). This file is
// CommonJS, so require() loads it plainly, and it loads the pool's own task module with
// import(), once per thread: WorkerPool passes that module's URL in workerData.taskModule.
import { workerData } from "node:worker_threads";

type Task = (input: unknown) => unknown;

let task: Promise<Task> | undefined;

function runTask(input: unknown): Promise<unknown> {
  task ??= import((workerData as { taskModule: string }).taskModule).then(
    (module: { default: Task }) => module.default,
  );
  return task.then((run) => run(input));
}

export = runTask;
