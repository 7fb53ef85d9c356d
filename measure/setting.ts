// What one side of the lab's comparison runs: a switch setting written the way a student says it.
//   "naive"                                  MODE=naive
//   "optimized"                              MODE=optimized (the server's default)
//   "buggy"                                  BUGGY=1
//   "mode=naive bugs=io-blocking,cpu-inline" several words, separated by spaces
//   "faults=stall:500ms/5s"                  FAULTS=stall:500ms/5s (rules joined by ";", no space)
//   "services"                               SERVICES=1: the gateway in front of the services
//   "monolith"                               SERVICES=0 (the default)
// Every word is one of those or `mode=…`, `buggy=1|0`, `bugs=a,b`, `faults=…`, `topology=…`; the result is the
// environment the server is started with, so both sides start exactly as named and nothing
// leaks in from the shell that runs the lab.
import { FaultSpecError, parseFaults } from "../src/faults/spec.js";
import { switchList, UnknownSwitches } from "../src/parsers.js";
import { SWITCH_NAMES, Switches, type SwitchName } from "../src/switches.js";

export interface SwitchSetting {
  /** The words as given, tidied: what the table and the report call this setting. */
  label: string;
  mode: "optimized" | "naive";
  buggy: boolean;
  bugs: SwitchName[];
  /** FAULTS for this side, as written; "" for none. */
  faults: string;
  /** Which shape of server: one process, or the gateway and its services (src/services/). */
  topology: "monolith" | "services";
}

export class SettingError extends Error {
  override name = "SettingError";
}

export const SETTING_SYNTAX = `a setting is one or more words separated by spaces:
  naive | optimized | buggy | mode=naive|optimized | buggy=1|0 | bugs=NAME[,NAME...]
  | faults=RULE[;RULE...] (the FAULTS syntax without spaces, e.g. faults=stall:500ms/5s)
  monolith | services | topology=monolith|services
  switch names: ${SWITCH_NAMES.join(", ")}`;

export function parseSetting(option: string, text: string): SwitchSetting {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new SettingError(`${option} is empty: ${SETTING_SYNTAX}`);
  const setting: SwitchSetting = {
    label: words.join(" "),
    mode: "optimized",
    buggy: false,
    bugs: [],
    faults: "",
    topology: "monolith",
  };
  for (const word of words) {
    const [key, value, ...rest] = word.split("=");
    if (value === undefined && (key === "naive" || key === "optimized")) setting.mode = key;
    else if (value === undefined && key === "buggy") setting.buggy = true;
    else if (value === undefined && (key === "monolith" || key === "services")) {
      setting.topology = key;
    } else if (
      rest.length === 0 &&
      key === "topology" &&
      (value === "monolith" || value === "services")
    ) {
      setting.topology = value;
    } else if (
      rest.length === 0 &&
      key === "mode" &&
      (value === "naive" || value === "optimized")
    ) {
      setting.mode = value;
    } else if (rest.length === 0 && key === "buggy" && (value === "1" || value === "0")) {
      setting.buggy = value === "1";
    } else if (rest.length === 0 && key === "bugs" && value !== undefined) {
      setting.bugs = [...new Set([...setting.bugs, ...bugNames(option, value)])];
    } else if (key === "faults" && value !== undefined) {
      setting.faults = faultRules(option, word.slice("faults=".length));
    } else {
      throw new SettingError(`${option} "${text}": "${word}" is not understood; ${SETTING_SYNTAX}`);
    }
  }
  return setting;
}

function bugNames(option: string, list: string): SwitchName[] {
  try {
    const names = switchList(list);
    if (names.length > 0) return names;
  } catch (error) {
    if (!(error instanceof UnknownSwitches)) throw error;
    throw new SettingError(`${option} names unknown switch ${error.message}`);
  }
  throw new SettingError(`${option} names no switch: known names are ${SWITCH_NAMES.join(", ")}`);
}

/** Checked here with the server's own parser, so a typo stops the lab before any server starts. */
function faultRules(option: string, rules: string): string {
  try {
    parseFaults(rules);
    return rules;
  } catch (error) {
    if (!(error instanceof FaultSpecError)) throw error;
    throw new SettingError(`${option} faults=${rules}: ${error.message}`);
  }
}

/** The server's environment for this setting: every switch variable set, none inherited. */
export function settingEnv(setting: SwitchSetting): Record<string, string> {
  return {
    MODE: setting.mode,
    BUGGY: setting.buggy ? "1" : "0",
    BUGS: setting.bugs.join(","),
    FAULTS: setting.faults,
    SERVICES: setting.topology === "services" ? "1" : "0",
  };
}

/** The switches the server will have on, worked out by the same registry the server uses. */
export function switchesOn(setting: SwitchSetting): SwitchName[] {
  return Switches.fromStartup(setting).enabled();
}
