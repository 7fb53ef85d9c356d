// The banner's admin link, as `npm start` prints it and a browser opens it: Chromium gets the
// admin page, the address bar no longer holds the token, and the cookie that admits it is
// HttpOnly and SameSite=Strict. The banner says what other machines can reach when HOST is
// not loopback or TRUST_PROXY is set.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bannerText } from "../src/banner.js";
import { readConfig } from "../src/config.js";
import { Switches } from "../src/switches.js";
import { openChromium } from "./helpers/chromium.js";
import { type ServerProcess, seededFolderForTests, spawnListening } from "./helpers/process.js";

const folder = seededFolderForTests("fest-lab-admin-link-");

/** The link on the banner's admin line. */
function bannerLink(output: string): string {
  const link = /^ {2}admin: +(http:\/\/\S+\/admin\?token=\S+)/m.exec(output)?.[1];
  if (link === undefined) throw new Error(`no admin link in the banner:\n${output}`);
  return link;
}

describe("a server started without ADMIN_TOKEN", () => {
  let server: ServerProcess;
  let url: string;
  beforeAll(async () => {
    ({ server, url } = await spawnListening({
      DB_PATH: join(folder(), "fest.db"),
      ADMIN_TOKEN: "",
      LOG_LEVEL: "warn",
    }));
  });
  afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
  });

  it("prints a link with the token kept beside the database, and no exposure line on loopback", () => {
    const token = readFileSync(join(folder(), "admin-token"), "utf8").trim();
    expect(bannerLink(server.output())).toBe(`${url}/admin?token=${token}`);
    expect(server.output()).toContain(`generated and kept in ${join(folder(), "admin-token")}`);
    expect(server.output()).not.toContain("exposed:");
  });

  it("Chromium opening the banner's link gets the admin page, without the token in the address bar", async (context) => {
    const { browser, close } = await openChromium((why) => context.skip(why));
    try {
      const page = await browser.newPage();
      const answer = await page.goto(bannerLink(server.output()));
      expect(answer?.status()).toBe(200);
      expect(page.url()).toBe(`${url}/admin`);
      expect(await page.textContent("h1")).toMatch(/switch|admin/i);
      expect(await page.content()).toContain("<code>checkout-crash</code>");
      const [cookie] = await browser.cookies(`${url}/admin`);
      expect(cookie).toMatchObject({ name: "fest_admin", httpOnly: true, sameSite: "Strict" });
      expect(cookie?.value).not.toContain(
        new URL(bannerLink(server.output())).searchParams.get("token"),
      );
      // The cookie keeps the browser in: the page again, with no token anywhere.
      expect((await page.goto(`${url}/admin`))?.status()).toBe(200);
    } finally {
      await close();
    }
  });
});

describe("the banner says what is exposed", () => {
  const banner = (env: Record<string, string>) => {
    const read = readConfig({
      env: { DB_PATH: join(folder(), "fest.db"), ...env },
      argv: [],
      cpuCount: 1,
    });
    if (read.kind !== "config") throw new Error("unexpected --help");
    return bannerText({
      config: read.config,
      url: "http://0.0.0.0:8000",
      switches: new Switches(),
      database: {
        name: "fest.db",
        seeded: false,
        events: 1,
        users: 1,
        registrations: 1,
        movies: 1,
      },
      monitorPath: undefined,
      labs: [],
      faultsText: "",
    });
  };

  it("HOST=0.0.0.0: other machines reach it, the admin only with the token, ?user= reads public", () => {
    const text = banner({ HOST: "0.0.0.0", ADMIN_TOKEN: "t0ken" });
    expect(text).toContain(
      "  admin:     http://0.0.0.0:8000/admin?token=t0ken  (the token: given by ADMIN_TOKEN)",
    );
    expect(text).toMatch(
      /^ {2}exposed: +other machines reach it \(HOST=0\.0\.0\.0\): \/admin answers only the admin token \(ADMIN_TOKEN\); pages read with \?user= are public/m,
    );
    expect(banner({ HOST: "127.0.0.1", ADMIN_TOKEN: "t0ken" })).not.toContain("exposed:");
  });

  it("behind a proxy (TRUST_PROXY): which credential guards the admin, and that ?user= reads are public", async () => {
    const { server } = await spawnListening({
      DB_PATH: join(folder(), "fest.db"),
      ADMIN_TOKEN: "given-for-the-banner",
      TRUST_PROXY: "loopback",
      LOG_LEVEL: "warn",
    });
    try {
      expect(bannerLink(server.output())).toMatch(/\/admin\?token=given-for-the-banner$/);
      expect(server.output()).toContain("(the token: given by ADMIN_TOKEN)");
      expect(server.output()).toMatch(
        /^ {2}exposed: +behind a reverse proxy \(TRUST_PROXY=loopback\): \/admin answers only the admin token \(ADMIN_TOKEN\); pages read with \?user= are public/m,
      );
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});
