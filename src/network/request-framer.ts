// Where each HTTP/1.1 request begins in a client's byte stream, so the lossy network can lose
// or delay requests one by one, as the server's own faults do, even on a kept-alive
// connection that carries many (Locust's users keep one each). Only the framing is read: the
// head up to its blank line, Content-Length bytes of body after it. What cannot be framed
// (a chunked body, an upgrade, a head past 64 KB) flows on untouched, undecided, to the end.

/** A head longer than this is not a load tool's request: the connection is passed through. */
const MAX_HEAD_BYTES = 64 * 1024;
const BLANK_LINE = Buffer.from("\r\n\r\n");

/** What the network reads of a request's head. */
export interface RequestHead {
  method: string;
  /** The X-Run-Id header, when the request sends one. */
  runId: string | undefined;
}

/** Bytes of the client's stream; `head` is set on the piece that starts a request. */
export interface Piece {
  bytes: Buffer;
  head?: RequestHead;
}

export class RequestFramer {
  private pending = Buffer.alloc(0);
  private bodyLeft = 0;
  private passThrough = false;

  /** Splits a chunk into pieces, in order: a request's head, its body, the next head. */
  push(chunk: Buffer): Piece[] {
    const pieces: Piece[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.passThrough) {
        pieces.push({ bytes: rest });
        break;
      }
      if (this.bodyLeft > 0) {
        const body = rest.subarray(0, this.bodyLeft);
        this.bodyLeft -= body.length;
        pieces.push({ bytes: body });
        rest = rest.subarray(body.length);
        continue;
      }
      const buffered = this.pending.length === 0 ? rest : Buffer.concat([this.pending, rest]);
      const end = buffered.indexOf(BLANK_LINE);
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) {
          this.passThrough = true;
          this.pending = Buffer.alloc(0);
          pieces.push({ bytes: buffered });
        } else {
          this.pending = Buffer.from(buffered);
        }
        break;
      }
      this.pending = Buffer.alloc(0);
      const headBytes = buffered.subarray(0, end + BLANK_LINE.length);
      const { head, bodyBytes, framed } = readHead(headBytes.toString("latin1"));
      pieces.push({ bytes: headBytes, head });
      this.bodyLeft = bodyBytes;
      this.passThrough = !framed;
      rest = buffered.subarray(headBytes.length);
    }
    return pieces;
  }
}

function readHead(text: string): { head: RequestHead; bodyBytes: number; framed: boolean } {
  const [requestLine = "", ...lines] = text.split("\r\n");
  const header = (name: string) =>
    lines
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  const length = Number(header("content-length") ?? 0);
  const framed =
    header("transfer-encoding") === undefined &&
    header("upgrade") === undefined &&
    Number.isSafeInteger(length) &&
    length >= 0;
  return {
    head: { method: requestLine.split(" ")[0] ?? "", runId: header("x-run-id") },
    bodyBytes: framed ? length : 0,
    framed,
  };
}
