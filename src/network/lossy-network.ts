// Who runs a challenge's lossy network: the one authority over what a server shares (the
// server itself alone; the supervisor under WORKERS and --services), so one proxy serves the
// whole group, whichever member answered start, and it goes when the challenge stops, when a
// reset forgets the challenge, or when that process closes. Before every member follows a
// change of the challenge, follow() starts (or stops) the proxy and writes its address into
// the challenge's record, where each member's state() reads it for the load command.
import type { SharedChange, SharedNetwork } from "../shared-change.js";
import { LossyProxy, type NetworkCounts } from "./lossy-proxy.js";

export class LossyNetwork {
  /** The run's proxy: kept after it stops, so its counts grade a verify after stop. */
  private last: { runId: string; proxy: LossyProxy; stopped: boolean } | undefined;

  /** `target`: the server's own address (its URL), asked when a proxy starts. */
  constructor(private readonly target: () => string | undefined) {}

  async follow(change: SharedChange): Promise<SharedChange> {
    const record = change.challenge;
    if (record === undefined) return change;
    if (record === null) {
      await this.stop();
      this.last = undefined;
      return change;
    }
    if (record.network === undefined || record.ended) {
      await this.stop();
      return change;
    }
    if (this.last?.runId !== record.runId || this.last.stopped) {
      await this.stop();
      this.last = {
        runId: record.runId,
        proxy: await this.start(record.network, record.runId),
        stopped: false,
      };
    }
    const network: SharedNetwork = { ...record.network, url: this.last.proxy.url };
    return { ...change, challenge: { ...record, network } };
  }

  /** What the network did to the run's requests; undefined when it carried none of that run. */
  counts(runId: string): NetworkCounts | undefined {
    return this.last?.runId === runId ? this.last.proxy.counts() : undefined;
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async start(network: SharedNetwork, runId: string): Promise<LossyProxy> {
    const url = this.target();
    if (url === undefined) throw new Error("the lossy network has no server to pass requests to");
    return LossyProxy.start({ ...network, runId, target: loopbackOf(url) });
  }

  private async stop(): Promise<void> {
    if (this.last === undefined || this.last.stopped) return;
    this.last.stopped = true;
    await this.last.proxy.close();
  }
}

/** The server's host and port, with an any-address (0.0.0.0, ::) read as this machine's loopback. */
function loopbackOf(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return { host: loopback, port: Number(port) };
}
