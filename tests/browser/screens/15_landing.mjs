// Where links land: a privacy officer opens the page a "noodtoegang gebruikt" email links to while signed out, signs
// in (with the second factor) and is back on that page; judges the use with the keyboard (a "niet terecht" without a
// note is refused first); checked through the API. The header shows the role only what it may open; an unknown
// page answers with the client's own 404 page.
export async function run(t) {
  const { page, assert, base } = t;
  const officer = "privacy_officer@demo.eenplan.nl";
  const open = await t.api(officer, "GET", "/api/v1/break-glass?reviewed=false");
  assert(open.status === 200 && open.body.length > 0, `a use to judge (scenario 08 opens them): ${open.status}`);
  const id = open.body[0].id;
  const link = `/noodtoegang/${id}`;

  const res = await page.goto(`${base}${link}`);
  assert(new URL(page.url()).pathname === "/aanmelden", "signed out: to the sign-in page");
  assert(res.status() === 200, "the sign-in page");
  assert((await page.locator("main").textContent()).includes("Daarna ziet u de pagina"), "it says it will return");
  await t.axe("Aanmelden, met terugweg");
  await page.locator("#veld-email").focus();
  await page.keyboard.type(officer);
  await page.keyboard.press("Tab");
  await page.keyboard.type(t.password);
  await page.keyboard.press("Tab");
  await page.keyboard.type(await t.totpFor(officer));
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}${link}`);
  assert((await t.heading()) === "Noodtoegang", "back on the page the link named");
  const nav = await page.locator("nav.site-nav a").allTextContents();
  assert(JSON.stringify(nav) === JSON.stringify(["Noodtoegang", "Inzage"]), `the privacy officer's header: ${nav}`);
  await t.axe("Noodtoegang beoordelen, één gebruik");
  await t.screenshot("noodtoegang-beoordelen");

  // "Niet terecht" without a note: refused, the choice kept, nothing judged.
  await t.tabTo("#veld-judgement");
  await page.keyboard.press("ArrowDown");
  await t.tabTo("button[type=submit]:not(.button--subtle)");
  await page.keyboard.press("Enter");
  await page.waitForLoadState();
  assert((await page.locator(".error-summary").textContent()).includes("Toelichting"), "the error summary");
  assert(await page.locator("#veld-judgement-not_justified").isChecked(), "the choice is kept");
  await t.axe("Noodtoegang beoordelen, met fout");
  await t.screenshot("noodtoegang-beoordelen-fout");
  const still = await t.api(officer, "GET", `/api/v1/break-glass/${id}`);
  assert(still.body.reviewedAt === null, "nothing judged yet");

  // Justified after all (the arrow keys move the choice within the group).
  await t.tabTo("#veld-judgement-not_justified");
  await page.keyboard.press("ArrowUp");
  await t.tabTo("button[type=submit]:not(.button--subtle)");
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}${link}?gedaan=1`);
  assert((await page.locator(".notice").textContent()).includes("Uw oordeel is vastgelegd"), "the notice");
  const judged = await t.api(officer, "GET", `/api/v1/break-glass/${id}`);
  assert(judged.body.judgement === "justified", `the API has the judgement: ${judged.body.judgement}`);

  // The list: judged uses below, with their judgement.
  await page.goto(`${base}/noodtoegang`);
  assert((await page.locator("main").textContent()).includes("Terecht"), "the list shows the judgement");
  await t.axe("Noodtoegang beoordelen");
  await t.screenshot("noodtoegang-lijst");

  // A page that does not exist: the client's own page, which names nothing.
  const missing = await page.goto(`${base}/nergens`);
  assert(missing.status() === 404, "404");
  assert((await t.heading()) === "Pagina niet gevonden", "the 404 page");
  await t.axe("Pagina niet gevonden");
  await t.screenshot("niet-gevonden");
}
