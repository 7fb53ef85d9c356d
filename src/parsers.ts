// The rules a value typed as text must follow, written once for the server's settings, the
// bench and lab programs' options and the bench routes' query parameters. Each returns the
// value or throws NotAllowed, whose message says what is allowed; the caller names the value.
import { SWITCH_NAMES, type SwitchName } from "./switches.js";

export class NotAllowed extends Error {
  override name = "NotAllowed";
}

/** Names in a switch list that the registry does not know; `known` is what it does. */
export class UnknownSwitches extends Error {
  override name = "UnknownSwitches";
  readonly known = SWITCH_NAMES;
  constructor(readonly unknown: string[]) {
    super(
      `${unknown.map((name) => `"${name}"`).join(", ")}: known names are ${SWITCH_NAMES.join(", ")}`,
    );
  }
}

/** Digits only: "-1", "1.5", "1e3" and " 7" are refused rather than rounded or trimmed. */
export function wholeNumber(text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d{1,15}$/.test(text) || value < min || value > max) {
    throw new NotAllowed(`use a whole number from ${min} to ${max}`);
  }
  return value;
}

export function oneOf<T extends string>(text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new NotAllowed(`use one of ${allowed.join(", ")}`);
}

export function onOff(text: string): boolean {
  const value = text.trim().toLowerCase();
  if (["0", "false", "no", "off", ""].includes(value)) return false;
  if (["1", "true", "yes", "on"].includes(value)) return true;
  throw new NotAllowed("use 1 or 0 (true/false, yes/no, on/off)");
}

/** "a,b, c" into switch names, each once; an unknown name throws UnknownSwitches. */
export function switchList(text: string): SwitchName[] {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(SWITCH_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UnknownSwitches(unknown);
  return [...new Set(names)] as SwitchName[];
}

/**
 * "events=http://10.0.0.6:8001, accounts=http://10.0.0.7:8001" into a name → origin map:
 * each name once, each address http or https with a host and no path.
 */
export function namedOrigins(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const pair of text.split(",").map((each) => each.trim())) {
    if (pair === "") continue;
    const [name = "", ...rest] = pair.split("=");
    const address = rest.join("=");
    if (!/^[a-z][a-z-]*$/.test(name)) {
      throw new NotAllowed(`"${pair}" does not start with a name: write NAME=http://HOST:PORT`);
    }
    if (Object.hasOwn(found, name)) throw new NotAllowed(`"${name}" is named twice`);
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new NotAllowed(`"${address}" is not an address: write ${name}=http://HOST:PORT`);
    }
    if (!["http:", "https:"].includes(url.protocol) || url.pathname !== "/" || url.search) {
      throw new NotAllowed(
        `"${address}" is not a service's address: http:// or https://, a host and a port, no path`,
      );
    }
    found[name] = url.origin;
  }
  return found;
}
