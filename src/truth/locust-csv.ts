// Locust's --csv stats file, read without a CSV library: one row per request name, with its
// counts and percentiles. Shared by `npm run verify` and the tests that run Locust.

/** RFC 4180 CSV as Python's csv module writes it: quoted fields may hold commas and "". */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      field = "";
      record = [];
    } else {
      field += char;
    }
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (header === undefined) return [];
  return rows.map((row) =>
    Object.fromEntries(header.map((column, index) => [column, row[index] ?? ""])),
  );
}

export interface LocustRow {
  /** The method ("GET"), as Locust writes it in the Type column. */
  method: string;
  /** The request's name: the scenario's name= or the URL. */
  name: string;
  requests: number;
  failures: number;
  p50: number;
  p95: number;
  p99: number;
}

/** The per-request rows of a stats CSV, without the Aggregated row; throws naming a bad column. */
export function locustRows(text: string): LocustRow[] {
  return parseCsv(text)
    .filter((record) => record.Name !== "Aggregated")
    .map((record) => ({
      method: record.Type ?? "",
      name: record.Name ?? "",
      requests: numberColumn(record, "Request Count"),
      failures: numberColumn(record, "Failure Count"),
      p50: numberColumn(record, "50%"),
      p95: numberColumn(record, "95%"),
      p99: numberColumn(record, "99%"),
    }));
}

function numberColumn(record: Record<string, string>, column: string): number {
  const text = record[column];
  // Locust writes N/A for a percentile of a name with no successful request.
  if (text === "N/A") return Number.NaN;
  const value = Number(text);
  if (text === undefined || text === "" || Number.isNaN(value)) {
    throw new Error(
      `this is not a Locust stats CSV (the *_stats.csv that --csv writes): column "${column}" is missing or not a number`,
    );
  }
  return value;
}
