// The checks every fest parameter passes before it reaches a query. A failure names
// the parameter and what is allowed (zod does the checking, BadInput the telling).
import { z } from "zod";
import { BadInput } from "../http-errors.js";

export const USERNAME_RULE = "3 to 40 characters: letters, digits, _ . -";
export const PASSWORD_RULE = "8 to 200 characters";
export const EVENT_ID_RULE = "a whole number from 1 to 2147483647";

const username = z.string().regex(/^[A-Za-z0-9_.-]{3,40}$/);
const password = z.string().min(8).max(200);
const eventId = z
  .string()
  .regex(/^[1-9]\d{0,9}$/)
  .transform(Number)
  .pipe(z.number().max(2_147_483_647));

function check<T>(schema: z.ZodType<T>, value: unknown, parameter: string, rule: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadInput(parameter, rule);
  return result.data;
}

/** `?user=`: optional, but when given it must be one plain name (not repeated). */
export function optionalUserParam(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return check(username, value, "user", USERNAME_RULE);
}

export function eventIdParam(value: unknown): number {
  return check(eventId, value, "id", EVENT_ID_RULE);
}

export function credentials(body: unknown): { username: string; password: string } {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  return {
    username: check(username, fields.username, "username", USERNAME_RULE),
    password: check(password, fields.password, "password", PASSWORD_RULE),
  };
}
