// The one supervisor loop of a group, whatever its members are (cluster workers under
// WORKERS=N, forked service processes under SERVICES=1; the kind is an adapter, GroupKind).
// It starts one member per slot, answers their group messages (GroupState), restarts one
// that dies (at once after a healthy life, with a growing backoff when it keeps dying soon
// after starting), stops everything when a slot's very first start fails, and on SIGTERM or
// Ctrl+C drains every member; a second signal stops them at once.
import type { Registry } from "prom-client";
import { LossyNetwork } from "../network/lossy-network.js";
import type { Logger } from "../observe/log.js";
import { type Switches, switchChangeLine } from "../switches.js";
import { nextQuickDeaths, restartDelayMs } from "./backoff.js";
import { type GroupMonitor, startGroupMonitor } from "./group-monitor.js";
import { type GroupMember, GroupState } from "./group-state.js";
import { isMemberMessage } from "./messages.js";

/** What the loop hears about one member process; the adapter wires its events to these. */
export interface MemberEvents {
  /** It listens (port: where, when the kind knows). */
  listening(port?: number): void;
  /** Any message on its IPC channel; the group's are answered, others left alone. */
  message(message: unknown): void;
  exited(code: number | null, signal: string | null): void;
}

/** One member process as the loop drives it. */
export interface MemberProcess extends GroupMember {
  pid: number | undefined;
  isDead(): boolean;
  kill(signal: NodeJS.Signals): void;
}

/** What differs between a group of workers and a group of services. */
export interface GroupKind {
  /** What the log calls a member: "worker", "service". */
  noun: string;
  /** One key a slot: "1", "2" / "accounts", "events", .... */
  keys: readonly string[];
  /** A slot in the log: "worker 1", "service checkout". */
  label(key: string): string;
  /** Who passed an admin's switch change on, in its log line: "worker 1", "the checkout service". */
  via(key: string): string;
  /** Starts the slot's member process and wires its events. */
  fork(key: string, events: MemberEvents): MemberProcess;
  /** Said while a member is down, before "starting a new one": what answers meanwhile. */
  whileDown?: string;
  /** Where a replacement answers, for its "is back" line: " at http://...". */
  where?(key: string): string;
  /** A member died and will be started again (a restart counter, say). */
  restarted?(key: string): void;
  /** What stands in front of the members (the gateway): drained first on a stop. */
  front?: { name: string; close(): Promise<unknown> | undefined };
}

export interface GroupParts {
  log: Logger;
  switches: Switches;
  sessionSecret: string;
  /** MONITOR_CSV: one file for the group, written here from every member's figures. */
  monitorCsv: string | undefined;
  /** Where the group's requests are counted once, if not in its members (see GroupMonitor). */
  door?: () => { done: number; inFlight: number };
  /** The supervisor's own figures (restarts, say), added to the members' on /metrics. */
  registry?: Registry;
  /** The group's address, where a challenge's lossy network passes requests on to. */
  networkTarget?: () => string | undefined;
}

interface Slot {
  key: string;
  member: MemberProcess;
  startedAt: number;
  quickDeaths: number;
  listening: boolean;
  /** It has asked for the group's state: from then on it gets every change. */
  joined: boolean;
  /** Has any process of this slot ever listened? If not, a death is a failed start. */
  everListened: boolean;
  /** When the member this one replaces died, and its pid: for the "is back" line. */
  replacing?: { pid: number | undefined; diedAt: number };
  restartTimer?: NodeJS.Timeout;
}

export interface RunningGroup {
  state: GroupState;
  monitor: GroupMonitor | undefined;
  /** The last port a member said it listens on (workers share one). */
  port: number | undefined;
  pid(key: string): number | undefined;
  isListening(key: string): boolean;
  listeningCount(): number;
}

/** Starts every slot's member; resolves once each listens. */
export async function superviseGroup(kind: GroupKind, parts: GroupParts): Promise<RunningGroup> {
  const { log, switches } = parts;
  // Written once, here; while a challenge hides the switches, without their names.
  switches.onChange((name, on, by) => log.warn(switchChangeLine(switches, name, on, by)));
  const monitor =
    parts.monitorCsv !== undefined
      ? startGroupMonitor(parts.monitorCsv, { door: parts.door })
      : undefined;
  const slots = new Map<string, Slot>();
  // One lossy network for the group, here where the group's changes are decided.
  const network = new LossyNetwork(parts.networkTarget ?? (() => undefined));
  const state = new GroupState({
    network,
    switches: parts.switches,
    sessionSecret: parts.sessionSecret,
    reportUsage: monitor !== undefined,
    log,
    memberName: kind.noun,
    registry: parts.registry,
    members: () =>
      [...slots.values()]
        .filter((slot) => slot.joined && slot.member.isConnected())
        .map((slot) => slot.member),
  });
  const group: RunningGroup = {
    state,
    monitor,
    port: undefined,
    pid: (key) => slots.get(key)?.member.pid,
    isListening: (key) => slots.get(key)?.listening ?? false,
    listeningCount: () => [...slots.values()].filter((slot) => slot.listening).length,
  };

  let shuttingDown = false;
  let exitCode = 0;
  let announced: () => void = () => {};
  const allListening = new Promise<void>((resolve) => {
    announced = resolve;
  });

  const start = (key: string, quickDeaths = 0, replacing?: Slot["replacing"]) => {
    const everListened = slots.get(key)?.everListened ?? false;
    let slot: Slot | undefined;
    const member = kind.fork(key, {
      listening: (port) => slot !== undefined && listened(slot, port),
      message: (message) => slot !== undefined && heard(slot, message),
      exited: (code, signal) => slot !== undefined && exited(slot, code, signal),
    });
    slot = {
      key,
      member,
      startedAt: Date.now(),
      quickDeaths,
      listening: false,
      joined: false,
      everListened,
      replacing,
    };
    slots.set(key, slot);
  };

  const heard = (slot: Slot, message: unknown) => {
    if (!isMemberMessage(message)) return; // prom-client's and Node's own messages
    if (message.type === "fest-lab:usage") monitor?.report(slot.key, message.sample);
    else if (message.type === "fest-lab:set-switch")
      state.handle(slot.member, { ...message, by: `${message.by} (via ${kind.via(slot.key)})` });
    else {
      if (message.type === "fest-lab:hello") slot.joined = true;
      state.handle(slot.member, message);
    }
  };

  const listened = (slot: Slot, port: number | undefined) => {
    slot.listening = true;
    slot.everListened = true;
    if (port !== undefined) group.port = port;
    if (slot.replacing !== undefined) {
      log.warn(
        `${kind.label(slot.key)} is back: pid ${slot.member.pid} answering${kind.where?.(slot.key) ?? ""} ${Date.now() - slot.replacing.diedAt} ms after pid ${slot.replacing.pid} died`,
      );
    }
    if ([...slots.values()].every((each) => each.listening)) announced();
  };

  const exited = (slot: Slot, code: number | null, signal: string | null) => {
    monitor?.forget(slot.key);
    if (slots.get(slot.key) !== slot) return;
    slot.listening = false;
    const pid = slot.member.pid;
    if (shuttingDown) {
      slots.delete(slot.key);
      if (slots.size === 0) finish();
      return;
    }
    if (!slot.everListened) {
      // It never started: a bad setting, a port in use, a file it cannot open; its own line
      // above says which. Restarting would only print that line again and again.
      log.error(`${kind.label(slot.key)} (pid ${pid}) could not start; stopping the group`);
      void stopAll(1);
      return;
    }
    const quickDeaths = nextQuickDeaths(slot.quickDeaths, Date.now() - slot.startedAt);
    const delay = restartDelayMs(quickDeaths);
    const diedAt = Date.now();
    log.warn(
      `${kind.label(slot.key)} (pid ${pid}) exited ${exitReason(code, signal)}; ${kind.whileDown ?? ""}${
        delay === 0
          ? "starting a new one now"
          : `starting a new one in ${delay} ms (${quickDeaths} deaths in a row soon after starting)`
      }`,
    );
    kind.restarted?.(slot.key);
    const restart = () => {
      if (!shuttingDown) start(slot.key, quickDeaths, { pid, diedAt });
    };
    if (delay === 0) restart();
    else slot.restartTimer = setTimeout(restart, delay);
  };

  const finish = () => {
    monitor?.stop();
    console.log(`every ${kind.noun} has stopped`);
    process.exit(exitCode);
  };
  /** The front first (no new requests, those in flight finish); each member drains its own. */
  const stopAll = async (code: number) => {
    shuttingDown = true;
    exitCode = code;
    for (const slot of slots.values()) {
      clearTimeout(slot.restartTimer);
      if (slot.member.isDead()) slots.delete(slot.key);
    }
    const frontClosed = kind.front?.close();
    await network.close();
    for (const slot of slots.values()) slot.member.kill("SIGTERM");
    await frontClosed;
    if (slots.size === 0) finish();
  };
  const stop = (signal: string) => {
    if (shuttingDown) {
      console.log(`${signal} again: stopping every ${kind.noun} at once`);
      for (const slot of slots.values()) slot.member.kill("SIGKILL");
      process.exit(1);
    }
    const alive = [...slots.values()].filter((slot) => !slot.member.isDead()).length;
    const front = kind.front === undefined ? "" : `${kind.front.name} and `;
    console.log(
      `\n${signal}: draining ${front}${alive} ${kind.noun}s (Ctrl+C again to stop at once)`,
    );
    void stopAll(0);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  for (const key of kind.keys) start(key);
  if (kind.keys.length === 0) announced();
  await allListening;
  return group;
}

export function exitReason(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  if (code === 1) return "with code 1 (an exception nothing caught, or a failed start: see above)";
  return `with code ${code}`;
}
