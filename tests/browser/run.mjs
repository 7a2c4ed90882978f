// The web client in a real headless Chromium (Debian's), driven by playwright-core; axe-core checks every screen
// against WCAG 2.1 A and AA. Started by tests/web_browser.rs against `eenplan demo`; prints one line per check and
// exits non-zero on the first failure of a scenario (the others still run).
//
//   EENPLAN_BASE_URL=http://127.0.0.1:8080 EENPLAN_DEMO_PASSWORD=… [EENPLAN_DEMO_ACCOUNTS=<data dir>/demo-accounts.json] node run.mjs [scenario …]
//
// Every scenario runs twice: with JavaScript and without (the main tasks must work either way). Screenshots go to
// EENPLAN_SCREENSHOT_DIR (the JavaScript run only).
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { readFileSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.env.EENPLAN_BASE_URL;
const password = process.env.EENPLAN_DEMO_PASSWORD;
const shots = process.env.EENPLAN_SCREENSHOT_DIR;
if (!base || !password) {
  console.error("EENPLAN_BASE_URL and EENPLAN_DEMO_PASSWORD are required");
  process.exit(2);
}
const origin = new URL(base).origin;

class Check extends Error {}
function assert(ok, message) {
  if (!ok) throw new Check(message);
}

// The demo's accounts (with the TOTP secrets of the roles that need a second factor), when the test passes them.
const accounts = process.env.EENPLAN_DEMO_ACCOUNTS ? JSON.parse(readFileSync(process.env.EENPLAN_DEMO_ACCOUNTS, "utf8")) : [];
const usedStep = new Map();

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of text.replace(/=+$/, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/// RFC 6238 (SHA-1, 30 s, 6 digits) for a secret at a step.
export function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

/// A fresh code for a demo account with a second factor (null for one without). The server takes each step once
/// and one step of drift, so the next step's code serves when this step's was used; otherwise it waits.
async function totpFor(email) {
  const account = accounts.find((a) => a.email === email);
  if (!account || !account.totpSecret) return null;
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / 30);
    const step = Math.max(now, (usedStep.get(email) ?? -1) + 1);
    if (step <= now + 1) {
      usedStep.set(email, step);
      return totpAt(account.totpSecret, step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const apiTokens = new Map();

/// The API, as the same user, to check what a page did (one sign-in per user, with the code where needed);
/// `headers` adds request headers (If-Match).
async function api(email, method, pathname, body, headers = {}, again = true) {
  let accessToken = apiTokens.get(email);
  if (!accessToken) {
    const totp = await totpFor(email);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(totp ? { email, password, totp } : { email, password }),
    });
    assert(login.ok, `API login as ${email}: ${login.status}`);
    accessToken = (await login.json()).accessToken;
    apiTokens.set(email, accessToken);
  }
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status === 401 && again) {
    // The token ran out: sign in again, once. An account that can no longer sign in keeps its 401.
    apiTokens.delete(email);
    try {
      return await api(email, method, pathname, body, headers, false);
    } catch (e) {
      if (!(e instanceof Check)) throw e;
    }
  }
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

function tools(page, js, name) {
  return {
    page,
    js,
    base,
    password,
    assert,
    api,
    totpFor,
    totpAt,
    /// Signs in through the form, with the keyboard only; lands on the role's start page.
    async signIn(email) {
      await page.goto(`${base}/aanmelden`);
      await page.locator("#veld-email").focus();
      await page.keyboard.type(email);
      await page.keyboard.press("Tab");
      await page.keyboard.type(password);
      const code = await totpFor(email);
      if (code) {
        await page.keyboard.press("Tab");
        await page.keyboard.type(code);
      }
      await page.keyboard.press("Enter");
      await page.waitForURL((u) => u.origin === origin && !u.pathname.startsWith("/aanmelden"));
    },
    /// axe-core on the page as it is now: 0 violations of WCAG 2.0/2.1 A and AA.
    /// axe itself is JavaScript: it runs in the JavaScript run, on the same server-rendered HTML.
    async axe(label) {
      if (!js) return;
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
      );
      const found = result.violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`,
      );
      assert(found.length === 0, `axe on ${label}: ${found.length} violation(s)\n    ${found.join("\n    ")}`);
      console.log(`  axe ${label}: 0 violations (${result.passes.length} rules passed)`);
      // WCAG 1.4.10 (reflow): at 320 CSS px wide (as at 400 % zoom of 1280) nothing needs scrolling sideways.
      const size = page.viewportSize();
      await page.setViewportSize({ width: 320, height: 640 });
      const wide = await page.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        const overflow = document.documentElement.scrollWidth - limit;
        const culprits = [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > limit + 1 && !e.closest(".table-scroll"))
          .slice(0, 3)
          .map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""));
        return { overflow, culprits };
      });
      await page.setViewportSize(size);
      assert(wide.overflow <= 0, `${label} at 320 px: ${wide.overflow} px wider than the screen (${wide.culprits.join(", ")})`);
    },
    async screenshot(file) {
      if (!shots || !js) return;
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `${file}.png`), fullPage: true });
    },
    /// The page's main heading.
    async heading() {
      return (await page.locator("h1").first().textContent()).trim();
    },
    /// Tabs until the element matching `selector` has focus (at most `limit` presses), as a keyboard user would.
    async tabTo(selector, limit = 60) {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press("Tab");
        if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
      }
      throw new Check(`${name}: ${selector} cannot be reached with Tab`);
    },
  };
}

const wanted = process.argv.slice(2);
const files = readdirSync(path.join(here, "screens"))
  .filter((f) => f.endsWith(".mjs"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.mjs$/, "")))
  .sort();
const browser = await chromium.launch({
  executablePath: process.env.EENPLAN_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let failures = 0;
let offOrigin = [];
for (const file of files) {
  const scenario = await import(path.join(here, "screens", file));
  for (const js of [true, false]) {
    const name = `${file.replace(/\.mjs$/, "")} (${js ? "with" : "without"} JavaScript)`;
    // bypassCSP only lets the test inject axe-core; the page's own policy is asserted by the Rust tests.
    const context = await browser.newContext({ javaScriptEnabled: js, bypassCSP: true, locale: "nl-NL" });
    context.on("request", (req) => {
      const u = new URL(req.url());
      if (u.protocol !== "data:" && u.origin !== origin) offOrigin.push(`${name}: ${req.url()}`);
    });
    const page = await context.newPage();
    try {
      await scenario.run(tools(page, js, name));
      console.log(`ok ${name}`);
    } catch (e) {
      failures++;
      console.log(`FAILED ${name}: ${e instanceof Check ? e.message : e.stack}`);
      await page.screenshot({ path: path.join(shots || "/tmp", `FAILED-${file}-${js ? "js" : "nojs"}.png`), fullPage: true }).catch(() => {});
    }
    await context.close();
  }
}
await browser.close();
if (offOrigin.length) {
  failures++;
  console.log(`FAILED: requests left the origin ${origin}:\n  ${offOrigin.join("\n  ")}`);
} else {
  console.log(`ok no request left ${origin}`);
}
console.log(failures === 0 ? "browser tests passed" : `${failures} browser test(s) failed`);
process.exit(failures === 0 ? 0 : 1);
