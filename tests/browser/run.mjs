// The web client in a real headless Chromium (Debian's), driven by playwright-core; axe-core checks every screen
// against WCAG 2.1 A and AA. Started by tests/web_browser.rs against `eenplan demo`; prints one line per check and
// exits non-zero on the first failure of a scenario (the others still run).
//
//   EENPLAN_BASE_URL=http://127.0.0.1:8080 EENPLAN_DEMO_PASSWORD=… [EENPLAN_DEMO_ACCOUNTS=<data dir>/demo-accounts.json] node run.mjs [scenario …]
//
// Every scenario runs twice: with JavaScript and without (the main tasks must work either way). Screenshots go to
// EENPLAN_SCREENSHOT_DIR (the JavaScript run only).
import { chromium } from "playwright-core";
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

/// The API, as the same user, to check what a page did.
async function api(email, method, pathname, body) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert(login.ok, `API login as ${email}: ${login.status}`);
  const { accessToken } = await login.json();
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
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
    /// Signs in through the form, with the keyboard only.
    async signIn(email) {
      await page.goto(`${base}/aanmelden`);
      await page.locator("#veld-email").focus();
      await page.keyboard.type(email);
      await page.keyboard.press("Tab");
      await page.keyboard.type(password);
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/`);
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
