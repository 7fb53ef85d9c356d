// What every benchmark suite takes and gives back, so the CLI can run them in one go.
export interface BenchOptions {
  /** Seconds of load for each measured setting. */
  seconds: number;
  /** One line of progress, overwritten in place on a terminal. */
  progress(message: string): void;
}

export interface SuiteResult {
  title: string;
  table: string;
  /** One line per target: the figure, the target, and whether it held. */
  verdicts: string[];
}

export type Suite = (options: BenchOptions) => Promise<SuiteResult>;
