// Under --services a service answers the gateway, not the client: the only connection it could
// reset or leave hanging is the gateway's, and the gateway would show the client its own 502
// (a service down) or 504 (a service too slow) instead. So a service behind the gateway tells
// it what a fault does, and the gateway does it to the client's connection: the client sees a
// reset, a closed connection or a late answer, as from one process.
//   - A reset, or the end of a hang: an empty answer carrying X-Fest-Lab-Drop, which the gateway
//     turns into a TCP reset or a close of the client's connection. The service counts it as
//     one process counts its reset: no answer, no bytes.
//   - A wait on purpose (a delay or a hang): "102 Processing" first, the interim answer HTTP has
//     for "still working on it, do not give up": the gateway's timeout is for a service that is
//     slow by accident (the slow-service lesson), not for an injected delay.
import type { ServerResponse } from "node:http";
import { markNotAnswered } from "../observe/request-watch.js";

/** On a service's answer to the gateway only; the gateway never passes it on. */
export const DROP_HEADER = "x-fest-lab-drop";
export type Drop = "reset" | "close";

export function askGatewayToDrop(res: ServerResponse, drop: Drop): void {
  markNotAnswered(res);
  res.writeHead(204, { [DROP_HEADER]: drop });
  res.end();
}

export function tellGatewayItWaits(res: ServerResponse): void {
  if (!res.headersSent) res.writeProcessing();
}

/** The gateway's side: the drop a service asked for, if its answer carries one. */
export function dropAskedFor(header: string | string[] | undefined): Drop | undefined {
  return header === "reset" || header === "close" ? header : undefined;
}
