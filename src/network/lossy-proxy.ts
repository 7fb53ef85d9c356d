// A small lossy network: a TCP proxy on its own loopback port between a load tool and the
// server. Each request passing through is drawn against the rules (the FAULTS syntax, with
// the network's kinds: reset, hang, delay), seeded like the server's own faults, so a seed
// replays: a reset sends the client a TCP RST and the request never reaches the server; a
// hang swallows the request and closes the connection after the hang, unanswered; a delay
// holds the request before passing it on. The server never sees what the network lost, which
// is the lesson: its counts fall short of the load tool's by exactly that. Plain node:net, so
// it runs wherever Node does (Windows, macOS, Linux).
import { connect, createServer, type Server, type Socket } from "node:net";
import { delayMs } from "../faults/draw.js";
import { type Decision, Faults } from "../faults/faults.js";
import { type FaultPlan, FaultSpecError, MAX_DELAY_MS, parseFaults } from "../faults/spec.js";
import { type Piece, RequestFramer } from "./request-framer.js";

/** What the network did to the requests it carried. */
export interface NetworkCounts {
  requests: number;
  /** Lost: never reached the server, no answer for the client (reset + dropped). */
  lost: number;
  reset: number;
  /** Swallowed by a hang, then the connection closed. */
  dropped: number;
  delayed: number;
}

export interface LossyProxyOptions {
  /** The rules, in the FAULTS syntax; kinds reset, hang and delay; targets * or a method. */
  rules: string;
  /** The same seed, the same requests lost (in the order the network reads them). */
  seed: number;
  /** Where to pass requests on: the server's address. */
  target: { host: string; port: number };
  /** Requests with this X-Run-Id are counted apart as well: the challenge's run. */
  runId: string;
}

/** A network rule set, checked: what a server fault has that a network has not is refused. */
export function parseNetworkRules(text: string): FaultPlan {
  const plan = parseFaults(text);
  if (plan.stall !== undefined) {
    throw new FaultSpecError(1, "kind", plan.stall.text, "a network resets, hangs or delays");
  }
  plan.requests.forEach((rule, at) => {
    if (rule.kind === "error") {
      throw new FaultSpecError(at + 1, "kind", rule.text, "a network resets, hangs or delays");
    }
    if (rule.route !== undefined) {
      throw new FaultSpecError(at + 1, "target", rule.text, "a network sees * or a method");
    }
  });
  return plan;
}

const NO_COUNTS: NetworkCounts = { requests: 0, lost: 0, reset: 0, dropped: 0, delayed: 0 };

interface Link {
  client: Socket;
  upstream: Socket;
  timer: NodeJS.Timeout | undefined;
}

export class LossyProxy {
  private readonly faults: Faults;
  private readonly links = new Set<Link>();
  private readonly all: NetworkCounts = { ...NO_COUNTS };
  private readonly run: NetworkCounts = { ...NO_COUNTS };

  private constructor(
    private readonly server: Server,
    private readonly options: LossyProxyOptions,
    readonly url: string,
  ) {
    this.faults = new Faults(parseNetworkRules(options.rules), options.seed, false, {
      countStall: () => {},
    });
  }

  /** Listens on 127.0.0.1 only, on a port the system picks. */
  static async start(options: LossyProxyOptions): Promise<LossyProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as { port: number };
    const proxy = new LossyProxy(server, options, `http://127.0.0.1:${port}`);
    server.on("connection", (client) => proxy.carry(client));
    return proxy;
  }

  /** Every request, or those of the run. */
  counts(which: "all" | "run" = "run"): NetworkCounts {
    return { ...(which === "all" ? this.all : this.run) };
  }

  /** Stops listening and cuts every connection: nothing outlives the challenge. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const link of this.links) {
      clearTimeout(link.timer);
      link.client.destroy();
      link.upstream.destroy();
    }
    await closed;
  }

  private carry(client: Socket): void {
    const { host, port } = this.options.target;
    const upstream = connect({ host, port });
    const link: Link = { client, upstream, timer: undefined };
    this.links.add(link);
    const framer = new RequestFramer();
    const queue: { piece: Piece; decision?: Decision; held?: boolean }[] = [];
    let holding = false;
    let gone = false;
    let clientEnded = false;

    const cut = () => {
      gone = true;
      clearTimeout(link.timer);
      client.destroy();
      upstream.destroy();
      this.links.delete(link);
    };
    const hold = (ms: number, then: () => void) => {
      holding = true;
      client.pause();
      link.timer = setTimeout(() => {
        holding = false;
        client.resume();
        then();
      }, ms);
    };
    const pump = () => {
      while (!holding && !gone && queue.length > 0) {
        const step = queue[0] as (typeof queue)[number];
        const { decision } = step;
        if (decision?.delay !== undefined && !step.held) {
          step.held = true;
          hold(delayMs(decision.delay.delay, decision.delayDraw, MAX_DELAY_MS), pump);
          return;
        }
        if (decision?.end?.kind === "reset") {
          // A TCP RST, as a dropped NAT entry or a crashed middlebox sends.
          gone = true;
          client.resetAndDestroy();
          cut();
          return;
        }
        if (decision?.end?.kind === "hang") {
          // Swallowed: nothing more is passed on; the connection closes, unanswered, later.
          const hangMs = decision.end.hangMs;
          gone = true;
          queue.length = 0;
          client.pause();
          link.timer = setTimeout(cut, hangMs);
          return;
        }
        queue.shift();
        if (!upstream.write(step.piece.bytes)) {
          holding = true;
          client.pause();
          upstream.once("drain", () => {
            holding = false;
            client.resume();
            pump();
          });
          return;
        }
      }
      if (!holding && !gone && clientEnded && queue.length === 0) upstream.end();
    };

    client.on("data", (chunk: Buffer) => {
      if (gone) return;
      for (const piece of framer.push(chunk)) {
        queue.push({ piece, decision: piece.head && this.decide(piece.head) });
      }
      pump();
    });
    client.on("end", () => {
      clientEnded = true;
      pump();
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!client.write(chunk)) {
        upstream.pause();
        client.once("drain", () => upstream.resume());
      }
    });
    upstream.on("end", () => client.end());
    // A server that is not there, or resets (its own reset fault): the client gets the
    // reset, as it would without the network in between.
    upstream.on("error", () => {
      if (!gone) client.resetAndDestroy();
      cut();
    });
    client.on("error", cut);
    // The client gone (a hang it gave up on included): nothing left to carry.
    client.on("close", cut);
    upstream.on("close", () => {
      if (!gone && !client.writableEnded) cut();
    });
  }

  /** One request's fate, drawn as the server's faults draw theirs; counted at once. */
  private decide(head: NonNullable<Piece["head"]>): Decision {
    const decision = this.faults.decide(head.method, "*");
    const counts = head.runId === this.options.runId ? [this.all, this.run] : [this.all];
    for (const count of counts) {
      count.requests++;
      if (decision.delay !== undefined) count.delayed++;
      if (decision.end?.kind === "reset") count.reset++;
      if (decision.end?.kind === "hang") count.dropped++;
      count.lost = count.reset + count.dropped;
    }
    return decision;
  }
}
