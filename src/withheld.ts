// What a running challenge withholds, in one place. A challenge's answer must be found by
// measuring (timings, status codes, counts), so while one runs nothing a client sees names its
// cause: which switches are on and which faults are set (src/switches.ts, src/faults/, the
// hidden mechanism of src/shared-change.ts), and every field that says the same in other words:
//   /cpu "ranOn", /io "waitedWith"                     which twin ran (cpu-inline, io-blocking)
//   /predict "ranOn", "cached", "modelLoadMs"          which digits switch costs the time
//   the crash page's bug name, lesson and stack        which crash switch is on
//   an injected error's body naming its rule           the faults' text
//   /admin/truth's per-kind fault counts               "what share got no answer" (faults.reset)
//   /metrics' fault, prediction and /cpu pool series   the same, as Prometheus series
// Each place reads `switches.hiddenBecause`: the group's one hidden state (src/shared-change.ts),
// which every member of every shape follows. Only the instructor's view
// (src/challenge/instructor-view.ts) shows what is withheld. The truth's own withheld view is
// src/truth/shown-truth.ts.
/** A copy of `answer` without the named fields while `because` is set. */
export function withoutFields<T extends object>(
  answer: T,
  because: string | undefined,
  fields: readonly (keyof T)[],
): Partial<T> {
  if (because === undefined) return answer;
  const shown: Partial<T> = { ...answer };
  for (const field of fields) delete shown[field];
  return shown;
}

/**
 * The /metrics families that tell which twin ran or which fault acted: the faults by kind, the
 * digits lab's predictions by where they ran and whether the cache answered, its model loads,
 * and the /cpu pool's tasks (a pool that does no work while /cpu answers is cpu-inline).
 */
export const WITHHELD_METRICS = [
  "festlab_faults_injected_total",
  "festlab_digit_predictions_total",
  "festlab_digit_prediction_cache_hits_total",
  "festlab_digit_model_loads_total",
  "festlab_cpu_pool_threads_busy",
  "festlab_cpu_pool_tasks_completed_total",
  "festlab_cpu_pool_tasks_rejected_total",
] as const;

/** Prometheus text without the withheld families (and a comment saying why) while `because` is set. */
export function withholdMetrics(text: string, because: string | undefined): string {
  if (because === undefined) return text;
  const families: readonly string[] = WITHHELD_METRICS;
  const kept = text.split("\n").filter((line) => {
    const name = /^(?:# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
    return name === undefined || !families.includes(name);
  });
  return `# festlab: ${WITHHELD_METRICS.join(", ")} are ${because}\n${kept.join("\n")}`;
}
