// The checks every catalogue parameter passes before it reaches a query. A failure names the
// parameter and what is allowed; a well-formed value that is not in the catalogue is a 404
// (routes.ts), not bad input.
import { BadInput } from "../http-errors.js";
import { FIRST_YEAR, LAST_YEAR } from "./seed.js";

/** Longer than any real title (the longest are about 200 characters) and bounded all the same. */
export const TITLE_MAX_LENGTH = 200;

export const ID_RULE = "an IMDb-style id: tt followed by 7 or 8 digits, e.g. tt0068646";
export const TITLE_RULE = `a title of 1 to ${TITLE_MAX_LENGTH} characters (any case; %20 for a space)`;
export const YEAR_RULE = `a 4-digit year from ${FIRST_YEAR} to ${LAST_YEAR}`;

export function movieIdParam(value: unknown): string {
  if (typeof value !== "string" || !/^tt\d{7,8}$/.test(value)) throw new BadInput("id", ID_RULE);
  return value;
}

export function titleParam(value: unknown): string {
  const title = typeof value === "string" ? value.trim() : "";
  if (title === "" || title.length > TITLE_MAX_LENGTH) throw new BadInput("title", TITLE_RULE);
  return title;
}

export function yearParam(value: unknown): number {
  const year = Number(value);
  if (
    typeof value !== "string" ||
    !/^\d{4}$/.test(value) ||
    year < FIRST_YEAR ||
    year > LAST_YEAR
  ) {
    throw new BadInput("year", YEAR_RULE);
  }
  return year;
}
