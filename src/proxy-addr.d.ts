// proxy-addr (Express's own dependency, which computes req.ip) ships no types: the three
// calls src/trust-proxy.ts makes.
declare module "proxy-addr" {
  import type { IncomingMessage } from "node:http";

  type Trust = (address: string, hop: number) => boolean;
  function proxyaddr(req: IncomingMessage, trust: Trust): string;
  namespace proxyaddr {
    function compile(value: string | string[]): Trust;
    function all(req: IncomingMessage, trust?: Trust): string[];
  }
  export default proxyaddr;
}
