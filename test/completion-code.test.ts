// A completion code ties a graded pass to a student and a seed: made by a server with
// CLASS_KEY when verify --student NAME passes, checked offline by the instructor with
// `npm run challenge -- check CODE --student NAME`. A code made for one student, seed or set of
// answers does not check for another, nor with another key.
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCompletionCode, makeCompletionCode } from "../src/challenge/completion-code.js";
import { loadChallenges } from "../src/challenge/definition.js";
import { projectRoot } from "../src/paths.js";
import { ADMIN, TEST_ADMIN_TOKEN } from "./helpers/admin-api.js";
import { challengeCall, challengeCli } from "./helpers/challenge-cli.js";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { loadTheKnee } from "./helpers/the-knee.js";

const KEY = "the-instructor-keeps-this-secret";
const PASS = { challenge: "the-knee", seed: 7, answers: "4,409" };

describe("completion codes, made and checked", () => {
  const code = makeCompletionCode(KEY, "Ada Lovelace", PASS);

  it("is short and typeable: the challenge, the seed, the answers and a check", () => {
    expect(code).toMatch(/^the-knee:7:4,409:[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  it("checks for its student, however the name's case and spaces are typed", () => {
    for (const name of ["Ada Lovelace", "ada  lovelace", " ADA LOVELACE "]) {
      expect(checkCompletionCode(KEY, name, code)).toEqual({ valid: true, ...PASS });
    }
    expect(checkCompletionCode(KEY, "Ada Lovelace", code.toLowerCase()).valid).toBe(true);
  });

  it("does not check for another student, another key, or a changed seed or answer", () => {
    expect(checkCompletionCode(KEY, "Grace Hopper", code).valid).toBe(false);
    expect(checkCompletionCode(`${KEY}!`, "Ada Lovelace", code).valid).toBe(false);
    expect(checkCompletionCode(KEY, "Ada Lovelace", code.replace(":7:", ":8:")).valid).toBe(false);
    expect(checkCompletionCode(KEY, "Ada Lovelace", code.replace("4,409", "4,410")).valid).toBe(
      false,
    );
    // The same pass on another seed makes another code: neither checks as the other.
    const other = makeCompletionCode(KEY, "Ada Lovelace", { ...PASS, seed: 8 });
    expect(other.split(":")[3]).not.toBe(code.split(":")[3]);
    expect(checkCompletionCode(KEY, "Ada Lovelace", other.replace(":8:", ":7:")).valid).toBe(false);
    expect(checkCompletionCode(KEY, "Ada Lovelace", "not a code")).toEqual({
      valid: false,
      why: expect.stringMatching(/not a completion code/),
    });
  });

  it("names the answers the code holds with the challenge's own questions", async () => {
    const { decodeAnswers, encodeAnswers } = await import("../src/challenge/completion-code.js");
    const network = loadChallenges(join(projectRoot, "challenges")).find(
      (c) => c.name === "was-it-the-network",
    );
    if (network === undefined) throw new Error("was-it-the-network.json is missing");
    const given = network.questions.map((q) =>
      q.kind === "choice" ? (q.options.at(-1) as string) : "3.5 %",
    );
    const encoded = encodeAnswers(network, given);
    expect(decodeAnswers(network, encoded)).toEqual(
      network.questions.map((q, at) => `${q.id}=${q.kind === "choice" ? given[at] : "3.5"}`),
    );
  });
});

describe("verify --student and check, end to end", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "warn", CLASS_KEY: KEY });
  });
  afterAll(() => server.stop());
  // The command in this process; the instructor's first check goes through the built program.
  const cli = (args: string[], env: Record<string, string> = {}) =>
    challengeCall(server.url, [...args, "--admin-token", TEST_ADMIN_TOKEN], env);

  it("a passing verify prints a code that checks offline for its student and seed only", async () => {
    const run = await loadTheKnee(server.url, ADMIN, 7);
    const failing = await cli(["verify", "limit=1000", "refused=0", "--student", "Ada Lovelace"]);
    expect(failing.code).toBe(1);
    expect(failing.output).not.toMatch(/completion code/);

    const passing = await cli(["verify", ...run.answers, "--student", "Ada Lovelace"]);
    expect(passing.code, passing.output).toBe(0);
    const code = /^completion code for Ada Lovelace: (\S+)$/m.exec(passing.output)?.[1] ?? "";
    expect(code).toMatch(/^the-knee:7:/);
    await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);

    // The instructor's machine: no server (a URL where nothing listens), the key, the name.
    const offline = (args: string[], key = KEY) =>
      challengeCall("http://127.0.0.1:9", ["check", code, ...args], { CLASS_KEY: key });
    const good = await challengeCli(
      "http://127.0.0.1:9",
      ["check", code, "--student", "ada lovelace"],
      { CLASS_KEY: KEY },
    );
    expect(good.code, good.output).toBe(0);
    const limit = run.answers[0]?.split("=")[1];
    expect(good.output).toMatch(
      new RegExp(
        `^VALID: ada lovelace passed the-knee with seed 7; answers limit=${limit} refused=\\d+$`,
        "m",
      ),
    );
    const otherStudent = await offline(["--student", "Grace Hopper"]);
    expect(otherStudent.code).toBe(1);
    expect(otherStudent.output).toMatch(/^NOT VALID for Grace Hopper/m);
    const otherSeed = await challengeCall(
      "http://127.0.0.1:9",
      ["check", code.replace("the-knee:7:", "the-knee:8:"), "--student", "Ada Lovelace"],
      { CLASS_KEY: KEY },
    );
    expect(otherSeed.code).toBe(1);
    const wrongKey = await offline(["--student", "Ada Lovelace"], "another-key-of-some-length");
    expect(wrongKey.code).toBe(1);
    const noKey = await challengeCall("http://127.0.0.1:9", ["check", code, "--student", "A"]);
    expect(noKey.code).toBe(2);
    expect(noKey.output).toMatch(/CLASS_KEY/);

    // The progress keeps the code made, for the gradebook.
    const progress = await cli(["progress"]);
    expect(progress.output).toContain(`code for Ada Lovelace: ${code}`);

    // The admin page makes one too, from its progress table, and shows it there.
    await request(server.url)
      .post("/admin/challenge/code")
      .set(ADMIN)
      .type("form")
      .send({ challenge: "the-knee", student: "Grace Hopper" })
      .expect(303);
    const page = await request(server.url).get("/admin").set(ADMIN).expect(200);
    const shown = /code for Grace Hopper: <code>([^<]+)<\/code>/.exec(page.text)?.[1] ?? "";
    expect(checkCompletionCode(KEY, "Grace Hopper", shown).valid).toBe(true);
    expect(checkCompletionCode(KEY, "Ada Lovelace", shown).valid).toBe(false);
  });
});

describe("a server without CLASS_KEY", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "warn" });
  });
  afterAll(() => server.stop());

  it("grades a pass as usual and says it makes no code", async () => {
    const run = await loadTheKnee(server.url, ADMIN, 7);
    const passing = await challengeCall(server.url, [
      ...["verify", ...run.answers, "--student", "Ada"],
      ...["--admin-token", TEST_ADMIN_TOKEN],
    ]);
    expect(passing.code, passing.output).toBe(0);
    expect(passing.output).toMatch(/^no completion code: this server has no CLASS_KEY/m);
    await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);
  });
});
