// One service's process as the group's loop (src/group/supervisor.ts) drives it: forked with
// the supervisor's own flags (the environment is inherited), told which service it is when it
// asks, and heard when it listens; every other message is the group's.
import { fork } from "node:child_process";
import { join } from "node:path";
import type { MemberEvents, MemberProcess } from "../group/supervisor.js";
import type { Logger } from "../observe/log.js";
import { distDir } from "../paths.js";
import { isServiceMessage, type RoleMessage, type ServiceRole } from "./messages.js";

export const SERVICE_ENTRY = join(distDir, "src", "services", "service-process.js");

export function forkService(role: ServiceRole, log: Logger, events: MemberEvents): MemberProcess {
  const child = fork(SERVICE_ENTRY, process.argv.slice(2), {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // A send to a child whose channel just closed reports here; its exit comes below.
  child.on("error", (error) => log.warn(`service ${role.name}: ${error.message}`));
  child.on("message", (message: unknown) => {
    if (!isServiceMessage(message)) events.message(message);
    else if (message.type === "fest-lab:service-listening") events.listening();
    else {
      const answer: RoleMessage = { type: "fest-lab:service-role", role };
      child.send(answer);
    }
  });
  child.once("exit", (code, signal) => events.exited(code, signal));
  return {
    pid: child.pid,
    isConnected: () => child.connected,
    isDead: () => child.exitCode !== null || child.signalCode !== null,
    send: (message) => child.send(message),
    once: (event, listener) => child.once(event, listener),
    off: (event, listener) => child.off(event, listener),
    kill: (signal) => child.kill(signal),
  };
}
