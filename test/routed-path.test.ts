// The gateway compares a path as the service's Express router will: these are the rules, and
// test/services-gateway.test.ts holds the gateway to them over HTTP.
import { describe, expect, it } from "vitest";
import { forwardedUrl, isUnder, routedPath } from "../src/gateway/routed-path.js";

describe("the path as the router sees it", () => {
  it("folds repeated slashes in the path, never in the query", () => {
    expect(forwardedUrl("//admin//switches")).toBe("/admin/switches");
    expect(forwardedUrl("/events?next=//x")).toBe("/events?next=//x");
    expect(forwardedUrl("/health")).toBe("/health");
  });

  it("compares case-insensitively and takes one trailing slash as none, as Express 5 does", () => {
    expect(routedPath("/ADMIN/Switches/")).toBe("/admin/switches");
    expect(routedPath("/Events?user=Ann")).toBe("/events");
    expect(routedPath("/")).toBe("/");
  });

  it("does not decode %-escapes, since the router does not either", () => {
    expect(routedPath("/%61dmin")).toBe("/%61dmin");
  });

  it("a prefix covers itself and what is below it, not a longer name", () => {
    expect(isUnder("/admin", "/admin")).toBe(true);
    expect(isUnder("/admin/switches", "/admin")).toBe(true);
    expect(isUnder("/internal/users/x", "/internal/")).toBe(true);
    expect(isUnder("/adminx", "/admin")).toBe(false);
  });
});
