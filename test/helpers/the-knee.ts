// Plays the-knee as a student who measures: start it with a seed, send /io requests with the
// run id faster than the limit lets in, count the 503s, and answer the limit the variant set
// (what Little's law finds on a long load; tests take it from the variant) and the 503s seen.
import { join } from "node:path";
import { pickVariant } from "../../src/challenge/challenges.js";
import { loadChallenges } from "../../src/challenge/definition.js";
import { projectRoot } from "../../src/paths.js";

const KNEE = loadChallenges(join(projectRoot, "challenges")).find((c) => c.name === "the-knee");

export interface KneeRun {
  runId: string;
  /** The right answers, as `verify ID=ANSWER` words. */
  answers: string[];
}

export async function loadTheKnee(
  url: string,
  headers: Record<string, string>,
  seed: number,
): Promise<KneeRun> {
  if (KNEE === undefined) throw new Error("challenges/the-knee.json is missing");
  const res = await fetch(`${url}/admin/challenge/start`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ name: "the-knee", seed }),
  });
  const started = (await res.json()) as { runId?: string; error?: string };
  if (started.runId === undefined)
    throw new Error(`start answered ${res.status}: ${started.error}`);
  const limit = Number(pickVariant(KNEE, seed).answers.limit);
  const statuses = await Promise.all(
    Array.from({ length: limit * 3 }, () =>
      fetch(`${url}/io`, { headers: { "x-run-id": started.runId as string } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    ),
  );
  const refused = statuses.filter((status) => status === 503).length;
  return { runId: started.runId, answers: [`limit=${limit}`, `refused=${refused}`] };
}
