// The page filters format each distinct value once: the text is the same as a fresh format,
// and the memory they keep is bounded. Escaping prints what nunjucks's own escape prints.
import express from "express";
import nunjucks from "nunjucks";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { encodePage, sendPage } from "../src/respond.js";
import { createViews, formattedOnce, renderPage, useViews } from "../src/views.js";

describe("formattedOnce", () => {
  it("formats a value once and answers the same text after", () => {
    let calls = 0;
    const format = formattedOnce((value: number) => {
      calls++;
      return `#${value}`;
    });
    expect([format(1), format(1), format(2), format(1)]).toEqual(["#1", "#1", "#2", "#1"]);
    expect(calls).toBe(2);
  });

  it("starts over past its bound instead of growing without end", () => {
    let calls = 0;
    const format = formattedOnce((value: number) => {
      calls++;
      return String(value);
    }, 3);
    for (const value of [1, 2, 3]) format(value);
    format(4); // the map was full: it starts over with 4 alone
    format(1);
    expect(calls).toBe(5);
    format(4);
    expect(calls).toBe(5);
  });
});

// nunjucks's escape runs only when a value holds a character to escape: what a page prints
// is what nunjucks's own escape gives, for every character it replaces and for none.
describe("escaping in the views", () => {
  const views = createViews();
  const shown = (value: unknown) => views.renderString("{{ value }}", { value });

  it("escapes each character nunjucks escapes, wherever it is in the text", () => {
    expect(shown(`a&b"c'd<e>f\\g`)).toBe("a&amp;b&quot;c&#39;d&lt;e&gt;f&#92;g");
    expect(shown("<script>")).toBe("&lt;script&gt;");
    expect(shown("Tom & Jerry")).toBe("Tom &amp; Jerry");
  });

  it("prints text and numbers with nothing to escape as they are", () => {
    expect(shown("Ilaiyaraaja Live · ₹ 1,200")).toBe("Ilaiyaraaja Live · ₹ 1,200");
    expect(shown(42)).toBe("42");
    expect(shown("")).toBe("");
  });

  it("leaves text marked safe alone", () => {
    expect(views.renderString("{{ value | safe }}", { value: "<b>x</b>" })).toBe("<b>x</b>");
  });
});

// The loop variables, a member that is a method, and numbers print as nunjucks prints them.
describe("the views' fast paths give nunjucks's own output", () => {
  const views = createViews();

  it("sets every loop variable on every item, for arrays and objects", () => {
    const line =
      "{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}";
    expect(
      views.renderString(`{% for x in xs %}[{{ x }}:${line}]{% endfor %}`, { xs: ["a", "b"] }),
    ).toBe("[a:1021truefalse2][b:2110falsetrue2]");
    expect(
      views.renderString(`{% for k, v in o %}[{{ k }}={{ v }}:${line}]{% endfor %}`, {
        o: { p: 1, q: 2 },
      }),
    ).toBe("[p=1:1021truefalse2][q=2:2110falsetrue2]");
    expect(
      views.renderString(
        "{% for a in xs %}{% for b in xs %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}",
        {
          xs: [1, 2],
        },
      ),
    ).toBe("121;122;");
  });

  // A member of a template variable (a loop item, a macro argument) is read in place, not
  // through runtime.memberLookup: the same value for every kind of object and member.
  it("reads a loop item's or a macro argument's members as memberLookup does", () => {
    const counter = {
      n: 3,
      next() {
        return this.n + 1;
      },
    };
    const reads = "[{{ c.n }}|{{ c.next() if c.next else '-' }}|{{ c.missing }}|{{ c.length }}]";
    for (const c of [counter, null, undefined, "text", 7, { n: "<b>" }, [1, 2]]) {
      // A context variable's members are read through runtime.memberLookup.
      const throughLookup = views.renderString(reads, { c });
      expect(views.renderString(`{% for c in cs %}${reads}{% endfor %}`, { cs: [c] })).toBe(
        throughLookup,
      );
      expect(
        views.renderString(`{% macro show(c) %}${reads}{% endmacro %}{{ show(c) }}`, { c }),
      ).toBe(throughLookup);
    }
    expect(views.renderString(reads, { c: counter })).toBe("[3|4||]");
    expect(views.renderString(reads, { c: "text" })).toBe("[|-||4]");
  });

  it("writes a loop item's member read into the compiled template", () => {
    createViews();
    // The compiler is in nunjucks's exports, though not in its type declarations.
    const { compiler } = nunjucks as unknown as {
      compiler: { compile(src: string, filters: [], extensions: [], name: string): string };
    };
    const code = compiler.compile(
      "{% for e in events %}{{ e.title }}{{ other.title }}{% endfor %}",
      [],
      [],
      "t",
    );
    // The loop item's read is in place; a context variable's still goes through memberLookup.
    expect(code).toMatch(/: t_\d+\.title\)/);
    expect(code).toContain(
      'runtime.memberLookup((runtime.contextOrFrameLookup(context, frame, "other")),"title")',
    );
  });

  it("calls a member that is a method on its own object", () => {
    const counter = {
      n: 3,
      next() {
        return this.n + 1;
      },
    };
    expect(views.renderString("{{ c.next() }} {{ c.n }} {{ c.missing }}", { c: counter })).toBe(
      "4 3 ",
    );
  });

  it("prints numbers, missing values and filters as they are", () => {
    expect(
      views.renderString("{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}", {
        a: -1.5,
        b: 1e21,
        c: Number.NaN,
        d: null,
      }),
    ).toBe("-1.5|1e+21|NaN||");
    expect(() => views.renderString("{{ 1 | nosuchfilter }}", {})).toThrow(
      /filter not found: nosuchfilter/,
    );
  });
});

// sendPage renders at once (renderPage) instead of through res.render, whose nunjucks callback
// answers a turn of the event loop later: the page must be the one res.render gives, with the
// app's locals under the response's and the page's data over both.
describe("renderPage", () => {
  it("gives the page app.render gives, locals merged the same way", async () => {
    const app = express();
    useViews(app);
    app.locals.mode = "from app.locals";
    // res.locals as Express makes it: without a prototype.
    const locals = Object.assign(Object.create(null), {
      mode: "from res.locals",
      loggedInAs: "someone",
      user: "from res.locals",
    });
    const data = { user: "locust_user", via: "demo", lines: [], totalRupees: 1234 };
    const viaExpress = await new Promise<string>((resolve, reject) =>
      app.render("checkout.njk", { _locals: locals, ...data }, (error, html) =>
        error ? reject(error) : resolve(html as string),
      ),
    );
    const now = renderPage(app, "checkout.njk", data, locals);
    expect(now).toBe(viaExpress);
    expect(now).toContain("from res.locals");
    expect(now).toContain("someone");
    expect(now).toContain("1,234");
    expect(now).toContain("the demo user <strong>locust_user</strong>");
  });

  it("throws a template's error where it is called, for Express's error handler", () => {
    const app = express();
    useViews(app);
    expect(() => renderPage(app, "no-such-view.njk", {}, {})).toThrow(/no-such-view/);
  });
});

// encodePage writes a page's UTF-8 in one walk into a kept buffer: the bytes must be the ones
// Buffer.from gives, for every kind of character and for pages larger than the buffer was.
describe("encodePage", () => {
  it("gives Buffer.from's bytes for ASCII, other scripts, symbols, emoji and lone surrogates", () => {
    for (const text of [
      "",
      "<p>plain</p>",
      "Fest Monolith · Express ₹ 1,200 ✓ registered",
      "😀 and 𝄞",
      "a lone \ud800 surrogate and \udc00 another",
    ]) {
      expect(encodePage(text).equals(Buffer.from(text, "utf8"))).toBe(true);
    }
  });

  it("gives whole pages larger than the buffer it started with, and small ones after", () => {
    const large = `<p>${"₹ 1,000 ✓ · ".repeat(20_000)}</p>`;
    expect(encodePage(large).equals(Buffer.from(large, "utf8"))).toBe(true);
    const small = "<p>₹ 5</p>";
    const bytes = encodePage(small);
    expect(bytes.equals(Buffer.from(small, "utf8"))).toBe(true);
    // Each page's bytes are its own, not a view of the buffer the next page is written into.
    encodePage("<p>another page</p>");
    expect(bytes.toString("utf8")).toBe(small);
  });
});

// sendPage hands res.send the page's bytes: the answer must be the one res.send(page) gives
// (type with charset, length, ETag, 304 on a matching If-None-Match), and JSON unchanged.
describe("sendPage", () => {
  const app = express();
  useViews(app);
  const data = { user: "locust_user", via: "demo", lines: [], totalRupees: 6250 };
  app.get("/page", (req, res) => sendPage(req, res, { view: "checkout.njk", data }));
  app.get("/as-text", (req, res) => {
    res.send(renderPage(req.app, "checkout.njk", data, res.locals));
  });

  it("answers with the headers and body res.send gives the same page as text", async () => {
    const page = await request(app).get("/page").set("Accept", "text/html");
    const text = await request(app).get("/as-text");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-type"]).toBe(text.headers["content-type"]);
    expect(page.headers["content-length"]).toBe(text.headers["content-length"]);
    expect(page.headers.etag).toBe(text.headers.etag);
    expect(page.text).toBe(text.text);
    expect(page.text).toContain("Total Payable ₹ 6,250");
  });

  it("answers 304 without a body to a request that holds the page's ETag", async () => {
    const page = await request(app).get("/page");
    const again = await request(app)
      .get("/page")
      .set("If-None-Match", page.headers.etag as string);
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("still answers JSON to a request that asks for it", async () => {
    const res = await request(app).get("/page").set("Accept", "application/json");
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toEqual(data);
  });
});

// The events page writes its log-in link once for every row that offers it: the link names
// the user, escaped, or none.
describe("the events page's rows", () => {
  const app = express();
  useViews(app);
  const events = [
    {
      id: 1,
      title: "Held",
      venue: "Hall",
      startsAt: "2026-12-07T01:07:00.000Z",
      priceRupees: 100,
      seatsLeft: 5,
      capacity: 10,
      registered: true,
    },
    {
      id: 2,
      title: "Full",
      venue: "Hall",
      startsAt: "2026-12-07T01:07:00.000Z",
      priceRupees: 100,
      seatsLeft: 0,
      capacity: 10,
      registered: false,
    },
    {
      id: 3,
      title: "Open",
      venue: "Hall",
      startsAt: "2026-12-07T01:07:00.000Z",
      priceRupees: 100,
      seatsLeft: 5,
      capacity: 10,
      registered: false,
    },
  ];
  const lastCells = (page: string) =>
    [...page.matchAll(/<td>([^<]*|<b>.*?<\/b>|<form.*?<\/form>|<a .*?<\/a>)<\/td><\/tr>/g)].map(
      (m) => m[1],
    );

  it("offers a log-in as the named user, escaped, on every open row", () => {
    const page = renderPage(
      app,
      "events.njk",
      { user: "a&b<c", via: "query", events: [...events, { ...events[2], id: 4 }] },
      { canRegister: false },
    );
    expect(lastCells(page)).toEqual([
      "<b>✓ registered</b>",
      "full",
      '<a href="/login?user=a%26b%3Cc">Log in as a&amp;b&lt;c to register</a>',
      '<a href="/login?user=a%26b%3Cc">Log in as a&amp;b&lt;c to register</a>',
    ]);
  });

  it("offers a plain log-in without a user, and the form to one who may register", () => {
    const anonymous = renderPage(
      app,
      "events.njk",
      { user: null, via: undefined, events },
      { canRegister: false },
    );
    expect(lastCells(anonymous)[2]).toBe('<a href="/login">Log in to register</a>');
    const session = renderPage(
      app,
      "events.njk",
      { user: "x", via: "session", events },
      { canRegister: true },
    );
    expect(lastCells(session)[2]).toBe(
      '<form method="post" action="/events/3/register"><button>Register</button></form>',
    );
  });
});
