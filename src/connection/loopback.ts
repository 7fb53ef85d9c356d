// The one loopback test, for a peer's address and for a host name alike: the banner asks it of
// HOST (is the server reachable from other machines?) and the client programs of a server's
// URL (is the token file beside the data this server's?), so both call the same things "this
// machine". Being on loopback never admits to the admin (src/admin-credential.ts).

/** 127.0.0.0/8, ::1 (bracketed or not), IPv4 loopback written as IPv6, and "localhost". */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const name = address.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "::1" || name === "localhost") return true;
  const v4 = name.startsWith("::ffff:") ? name.slice(7) : name;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
