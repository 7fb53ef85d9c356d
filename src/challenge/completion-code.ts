// A completion code ties a graded pass to a student and a seed: the challenge, the seed and
// the answers, in a short typeable form, then an HMAC of them and the student's name made with
// the instructor's CLASS_KEY. The instructor checks it offline, with the key and the student's
// name alone: what the code claims is in it, and the HMAC says the server holding the key made
// it for that student. A code made for one student (or seed, or answers) does not check for
// another.
//   the-knee:52817:4,409:K7F3Q9XM2A
//   challenge:seed:answers (in the questions' order; a choice as its option's letter):HMAC
import { createHmac, timingSafeEqual } from "node:crypto";
import { type Challenge, normalize } from "./definition.js";
import { readNumber } from "./grade.js";

/** 10 characters of Crockford's base32: 50 bits, enough that guessing one is hopeless. */
const MAC_CHARACTERS = 10;
const BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const VERSION = "fest-lab completion code v1";
const CODE = /^([a-z0-9][a-z0-9-]{0,40}):(\d{1,10}):([a-z0-9.,-]*):([0-9a-z]+)$/i;

/** The answers of a pass in the code's form: a choice's option letter, a number as written. */
export function encodeAnswers(challenge: Challenge, given: readonly string[]): string {
  return challenge.questions
    .map((question, at) => {
      const answer = given[at] ?? "";
      if (question.kind === "choice") {
        const index = question.options.map(normalize).indexOf(normalize(answer));
        return index < 0 ? "" : String.fromCharCode(97 + index);
      }
      const value = readNumber(answer, question.unit);
      return Number.isNaN(value) ? "" : String(value);
    })
    .join(",");
}

/** The answers back as the questions' ids and options, for the instructor to read. */
export function decodeAnswers(challenge: Challenge, encoded: string): string[] {
  const parts = encoded.split(",");
  return challenge.questions.map((question, at) => {
    const part = parts[at] ?? "";
    if (question.kind !== "choice") return `${question.id}=${part}`;
    const option = question.options[part.toLowerCase().charCodeAt(0) - 97];
    return `${question.id}=${option ?? `?${part}`}`;
  });
}

/** Names compare as a person types them: without case, with spaces squeezed. */
export function studentKey(student: string): string {
  return normalize(student);
}

function mac(key: string, student: string, payload: string): string {
  const digest = createHmac("sha256", key)
    .update(`${VERSION}\n${studentKey(student)}\n${payload.toLowerCase()}`)
    .digest();
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < MAC_CHARACTERS) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === MAC_CHARACTERS) break;
  }
  return out;
}

export function makeCompletionCode(
  key: string,
  student: string,
  pass: { challenge: string; seed: number; answers: string },
): string {
  const payload = `${pass.challenge}:${pass.seed}:${pass.answers}`;
  return `${payload}:${mac(key, student, payload)}`;
}

export type CodeCheck =
  | { valid: true; challenge: string; seed: number; answers: string }
  | { valid: false; why: string };

/** Checks a code for a student with the key; no server, no challenge files needed. */
export function checkCompletionCode(key: string, student: string, code: string): CodeCheck {
  const parts = CODE.exec(code.trim());
  if (parts === null) {
    return { valid: false, why: "this is not a completion code (challenge:seed:answers:check)" };
  }
  const [, challenge = "", seed = "", answers = "", given = ""] = parts;
  // Crockford's base32 reads I and L as 1 and O as 0: what a person may type for them.
  const typed = given.toUpperCase().replace(/[IL]/g, "1").replace(/O/g, "0");
  const expected = mac(key, student, `${challenge}:${seed}:${answers}`);
  const same =
    typed.length === expected.length && timingSafeEqual(Buffer.from(typed), Buffer.from(expected));
  if (!same) {
    return {
      valid: false,
      why: "the code was not made for this student with this key (or was changed)",
    };
  }
  return { valid: true, challenge: challenge.toLowerCase(), seed: Number(seed), answers };
}
