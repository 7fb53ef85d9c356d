// Plain lines in the shape uvicorn prints ("INFO:     ..."), the shape the lab's students know.
// LOG_LEVEL=warn drops the per-request lines so a load run measures the app, not the terminal.
export type LogLevel = "info" | "warn" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["info", "warn", "error"];

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };

export interface Logger {
  readonly level: LogLevel;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  enabled(level: LogLevel): boolean;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const at = (lineLevel: LogLevel) => (message: string) => {
    if (RANK[lineLevel] < RANK[level]) return;
    write(`${`${lineLevel.toUpperCase()}:`.padEnd(10)}${message}\n`);
  };
  return {
    level,
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    enabled: (lineLevel) => RANK[lineLevel] >= RANK[level],
  };
}
