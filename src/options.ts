// Each option is declared once, as a row: its flag, its environment twin, its default, its
// parser and its help. From that one row come the reading (flag, then environment, then
// default), the one-line error for a bad value, and the --help text. The server's settings
// (src/config.ts) and the bench and lab programs' options are tables of these rows.
import { parseArgs } from "node:util";
import { NotAllowed, UnknownSwitches } from "./parsers.js";

export interface Option<T> {
  /** The command-line flag, without "--". */
  flag?: string;
  /** The environment variable; server settings have one, program options need not. */
  env?: string;
  /** The flag's argument in --help ("N", "PATH"); absent for an on/off flag that takes none. */
  arg?: string;
  /** Other flags that set this option to a fixed value: `--naive` is `--mode naive`. */
  shortcuts?: Record<string, string>;
  /** The text read when neither flag nor environment gives one; absent leaves it unset. */
  default?: string | ((context: OptionContext) => string);
  /** The default as --help and docs/settings.md show it. */
  shown: string;
  help: string;
  parse(text: string): T;
}

/** What a default may depend on: the machine, and the options read before it. */
export interface OptionContext {
  cpuCount: number;
  /** The values read so far, in the table's order. */
  earlier: Record<string, unknown>;
}

export type OptionTable = Record<string, Option<unknown>>;

/** The values a table reads: an option without a default may be undefined. */
export type OptionValues<Table extends OptionTable> = {
  [K in keyof Table]: Table[K] extends Option<infer T>
    ? Table[K] extends { default: string | ((context: OptionContext) => string) }
      ? T
      : T | undefined
    : never;
};

/** A value the table refused: the message is the whole line to print. */
export class OptionError extends Error {
  override name = "OptionError";
}

export interface OptionSources {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cpuCount?: number;
  /** Arguments that are not flags (a program's subcommands); refused when false. */
  positionals?: boolean;
}

export type ReadResult<Table extends OptionTable> =
  | { kind: "values"; values: OptionValues<Table>; positionals: string[] }
  | { kind: "help" };

export function readOptions<Table extends OptionTable>(
  table: Table,
  { argv, env = {}, cpuCount = 1, positionals = false }: OptionSources,
): ReadResult<Table> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: parseArgsOptions(table),
      strict: true,
      allowPositionals: positionals,
    });
  } catch (error) {
    throw new OptionError(`${(error as Error).message}. Run with --help for the options.`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help === true) return { kind: "help" };

  const values: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(table)) {
    const text = textOf(option, flags, env, { cpuCount, earlier: values });
    values[key] = text === undefined ? undefined : parseOne(option, text);
  }
  return { kind: "values", values: values as OptionValues<Table>, positionals: parsed.positionals };
}

function textOf(
  option: Option<unknown>,
  flags: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
  context: OptionContext,
): string | undefined {
  for (const [flag, value] of Object.entries(option.shortcuts ?? {})) {
    if (flags[flag] === true) return value;
  }
  const flag = option.flag === undefined ? undefined : flags[option.flag];
  if (flag !== undefined) return flag === true ? "1" : String(flag);
  const fromEnv = option.env === undefined ? undefined : env[option.env]?.trim();
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return typeof option.default === "function" ? option.default(context) : option.default;
}

function parseOne(option: Option<unknown>, text: string): unknown {
  try {
    return option.parse(text);
  } catch (error) {
    // A server setting is named by its environment variable, a program's option by its flag.
    const name = option.env ?? `--${option.flag}`;
    const shown = option.env !== undefined ? `${name}=${text}` : `${name} ${text}`;
    if (error instanceof NotAllowed) {
      throw new OptionError(`${shown} is not allowed: ${error.message}`);
    }
    if (error instanceof UnknownSwitches) {
      throw new OptionError(`${name} names unknown behaviour ${error.message}`);
    }
    throw error;
  }
}

function parseArgsOptions(table: OptionTable) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const option of Object.values(table)) {
    if (option.flag !== undefined) {
      options[option.flag] = { type: option.arg === undefined ? "boolean" : "string" };
    }
    for (const flag of Object.keys(option.shortcuts ?? {})) options[flag] = { type: "boolean" };
  }
  return options;
}

/** The --help lines: one per option, its flag, its environment twin, its help and default. */
export function usageLines(table: OptionTable): string[] {
  const lines: string[] = [];
  const withEnv = Object.values(table).some((option) => option.env !== undefined);
  for (const option of Object.values(table)) {
    const flag =
      option.flag === undefined ? "" : `--${option.flag}${option.arg ? ` ${option.arg}` : ""}`;
    const env = withEnv ? `${option.env ?? ""}`.padEnd(17) : "";
    lines.push(`  ${flag.padEnd(22)}${env}${option.help} (default: ${option.shown})`);
    for (const [shortcut, value] of Object.entries(option.shortcuts ?? {})) {
      lines.push(
        `  ${`--${shortcut}`.padEnd(22)}${withEnv ? "".padEnd(17) : ""}same as --${option.flag} ${value}`,
      );
    }
  }
  lines.push(`  ${"-h, --help".padEnd(22)}${withEnv ? "".padEnd(17) : ""}this text`);
  return lines;
}
