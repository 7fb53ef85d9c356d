// The state a server shares with the rest of its group, besides which switches are on
// (ApplySwitch): what a running challenge hides, the faults, the capacity limit, the
// challenge itself, and the truth's runs and resets. One process applies a change to its own
// objects; a member of a group (src/group/) asks its supervisor, the one authority, which
// applies it in every member before the admin's answer goes out.
import type { CapacityLimit, CapacitySetting } from "./connection/capacity.js";
import type { Faults } from "./faults/faults.js";
import { parseFaults } from "./faults/spec.js";

/**
 * A challenge's lossy network (src/network/): its rules in the FAULTS syntax and the seed; the
 * address the load goes to, once the authority (the server alone, or the supervisor) runs it.
 */
export interface SharedNetwork {
  rules: string;
  seed: number;
  url?: string;
}

/** The running (or last stopped) challenge as every member of a group keeps it. */
export interface SharedChallenge {
  name: string;
  seed: number;
  runId: string;
  startedAt: string;
  hintsGiven: number;
  /** Graded verify calls of this run so far (src/challenge/challenges.ts GRADED_ATTEMPTS). */
  attempts: number;
  /** An attempt in which every figure held graded the choices too: the run takes no more. */
  decided: boolean;
  ended: boolean;
  /** What start changed, to put back: the switches on, the faults' text, the limit. */
  before: { switches: string[]; faults: string; capacity: CapacitySetting };
  lastVerification: object | undefined;
  /** The lossy network the challenge put between the load and the server, if any. */
  network?: SharedNetwork;
}

/** One change; each field present is applied, the others left as they are. */
export interface SharedChange {
  /** What a running challenge hides (switches and faults); null: nothing is hidden. */
  hidden?: string | null;
  /** The faults, in FAULTS' syntax; "" is none. */
  faults?: string;
  /** MAX_IN_FLIGHT and MAX_WAITING, live. */
  capacity?: CapacitySetting;
  /** The challenge every member answers hint, verify and stop about; null: none. */
  challenge?: SharedChallenge | null;
  /** A truth run counted from zero from now on (a challenge's run id). */
  truthRun?: string;
  /** The truth counting from zero (POST /admin/truth/reset). */
  truthReset?: true;
  /** The reset's part in each member: the truth from zero, remembered answers forgotten. */
  reset?: true;
}

export type ApplyShared = (change: SharedChange, by: string) => Promise<void>;
/** Applies a change to this process's own objects, as the supervisor (or the server) says. */
export type FollowShared = (change: SharedChange, by: string) => void;

/** The change that brings a new member to where the group is now. */
export function mergeShared(now: SharedChange, change: SharedChange): SharedChange {
  const { truthRun: _run, truthReset: _truth, reset: _reset, ...lasting } = change;
  return { ...now, ...lasting };
}

/** What one server's objects are, to follow a change. */
export interface SharedObjects {
  switches: { hiddenBecause: string | undefined };
  faults: Faults;
  capacity: CapacityLimit;
  truth: { startRun(runId: string): void; reset(): void };
  challenges: { follow(challenge: SharedChallenge | null): void };
  /** The reset's own part beyond the truth (the digits lab's remembered answers, say). */
  onReset?: () => void;
}

/** A change applied to this server's objects: what one process does, and each member. */
export function followHere(objects: SharedObjects): FollowShared {
  return (change, by) => {
    if (change.hidden !== undefined) {
      objects.switches.hiddenBecause = change.hidden ?? undefined;
      objects.faults.hiddenBecause = change.hidden ?? undefined;
    }
    if (change.faults !== undefined) objects.faults.set(parseFaults(change.faults), by);
    if (change.capacity !== undefined) objects.capacity.set(change.capacity);
    if (change.challenge !== undefined) objects.challenges.follow(change.challenge);
    if (change.truthRun !== undefined) objects.truth.startRun(change.truthRun);
    if (change.reset) objects.onReset?.();
    if (change.reset || change.truthReset) objects.truth.reset();
  };
}
