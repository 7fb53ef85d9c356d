// `npm run smoke`'s checks: each lab's main requests, as the seed labs' locustfiles send them,
// and what a healthy answer looks like. One row a check, so adding a lab adds a row here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../paths.js";

export interface SmokeCheck {
  /** "lab: what", printed first on the check's line and named by the verdict when it fails. */
  name: string;
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Undefined when the answer (already 200) is healthy; else why not, in a few words. */
  judge(body: string): string | undefined;
}

const pageHas =
  (text: string) =>
  (body: string): string | undefined =>
    body.includes(text) ? undefined : `the page lacks "${text}"`;

const jsonHas =
  (what: string, holds: (value: Record<string, unknown>) => boolean) =>
  (body: string): string | undefined => {
    try {
      return holds(JSON.parse(body) as Record<string, unknown>) ? undefined : `no ${what}`;
    } catch {
      return "the answer is not JSON";
    }
  };

/** One held-out digit (never trained on), so POST /predict gets a real drawing. */
function heldOutDigit(): { label: number; pixels: number[] } {
  const file = join(projectRoot, "locust-scenarios", "digits_held_out.json");
  const { digits } = JSON.parse(readFileSync(file, "utf8")) as {
    digits: { label: number; pixels: number[] }[];
  };
  const [first] = digits;
  if (first === undefined) throw new Error(`${file} holds no digits`);
  return first;
}

const isDigit = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 9;

export function smokeChecks(): SmokeCheck[] {
  const digit = heldOutDigit();
  return [
    {
      name: "bench: health",
      method: "GET",
      path: "/health",
      judge: jsonHas('"status": "ok"', (json) => json.status === "ok"),
    },
    {
      name: "bench: io",
      method: "GET",
      path: "/io?ms=10",
      judge: jsonHas("JSON object", (json) => typeof json === "object"),
    },
    {
      name: "bench: cpu",
      method: "GET",
      path: "/cpu?n=1000",
      judge: jsonHas("JSON object", (json) => typeof json === "object"),
    },
    {
      name: "fest: events",
      method: "GET",
      path: "/events?user=locust_user",
      judge: (body) => (body.length > 1000 ? undefined : `a ${body.length}-byte page: no events`),
    },
    {
      name: "fest: my-events",
      method: "GET",
      path: "/my-events?user=locust_user",
      judge: pageHas("<html"),
    },
    { name: "fest: checkout", method: "GET", path: "/checkout", judge: pageHas("Total Payable") },
    {
      name: "catalogue: status",
      method: "GET",
      path: "/status",
      judge: jsonHas('"status": "ok"', (json) => json.status === "ok"),
    },
    {
      name: "catalogue: by id",
      method: "GET",
      path: "/api/id/tt0068646",
      judge: pageHas("The Godfather"),
    },
    {
      name: "catalogue: by title",
      method: "GET",
      path: "/api/title/The%20godfather/1972",
      judge: pageHas("tt0068646"),
    },
    { name: "digits: page", method: "GET", path: "/predict", judge: pageHas("<html") },
    {
      name: "digits: predict",
      method: "POST",
      path: "/predict",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pixels: digit.pixels }),
      judge: jsonHas("digit 0 to 9", (json) => isDigit(json.digit)),
    },
    {
      // Read-only: the smoke test changes nothing on the server it checks.
      name: "admin: switches",
      method: "GET",
      path: "/admin/switches",
      headers: { accept: "application/json" },
      judge: jsonHas("switch list", (json) => Array.isArray(json.switches)),
    },
  ];
}
