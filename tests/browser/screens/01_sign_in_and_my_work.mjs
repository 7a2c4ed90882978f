// Sign-in and Mijn werk: the wijkteam member signs in with the keyboard, sees the households they work on (the
// same cases the API's /work lists for them, named by their members), the panels te laat / vandaag / binnenkort
// whose counts link to their lists, and signs out; the session is then gone.
export async function run(t) {
  const { page, assert, base } = t;
  await page.goto(`${base}/aanmelden`);
  assert((await t.heading()) === "Aanmelden bij eenplan", "the sign-in page");
  await t.axe("Aanmelden");
  await t.screenshot("aanmelden");

  // A wrong password: the form says so, in Dutch, and keeps the address.
  await page.locator("#veld-email").fill("wijkteam@demo.eenplan.nl");
  await page.locator("#veld-password").fill("niet-het-wachtwoord");
  await page.locator("#veld-password").press("Enter");
  await page.waitForLoadState();
  assert((await page.locator(".error-summary").textContent()).includes("klopt niet"), "a wrong password is explained");
  assert((await page.locator("#veld-email").inputValue()) === "wijkteam@demo.eenplan.nl", "the address is kept");
  await t.axe("Aanmelden, met fout");

  await t.signIn("wijkteam@demo.eenplan.nl");
  assert((await t.heading()) === "Mijn werk", "Mijn werk after sign-in");
  await t.axe("Mijn werk");
  await t.screenshot("mijn-werk");
  const work = await t.api("wijkteam@demo.eenplan.nl", "GET", "/api/v1/work");
  assert(work.status === 200, `GET /api/v1/work: ${work.status}`);
  const table = page.locator("main table");
  const links = await table.locator('a[href^="/dossiers/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const ids = work.body.households.map((c) => `/dossiers/${c.caseId}`);
  assert(ids.length > 0 && ids.every((id) => links.includes(id)), "every household the API lists is on Mijn werk");
  assert(links.every((l) => ids.includes(l)), "Mijn werk shows no household the API does not list");
  const named = work.body.households.filter((c) => c.name);
  assert(named.length > 0, "households are named by their members");
  for (const c of named) {
    assert((await table.textContent()).includes(c.name), `the household ${c.caseId} is named on the page`);
  }
  assert(!(await table.textContent()).includes("Dossier 1"), "no household is called 'Dossier 1'");

  // Every count is the API's, and links to its list.
  for (const [key, urgency] of [["te-laat", "overdue"], ["vandaag", "today"], ["binnenkort", "soon"]]) {
    const count = work.body.due.filter((d) => d.urgency === urgency).length;
    const shown = (await page.locator(`.work-counts a[href="/?lijst=${key}"] .work-counts__count`).textContent()).trim();
    assert(shown === String(count), `${key}: ${shown} on the page, ${count} from the API`);
  }
  await t.tabTo('.work-counts a[href="/?lijst=te-laat"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/?lijst=te-laat`);
  assert((await t.heading()) === "Te laat", "the list of what is overdue");
  const overdue = work.body.due.filter((d) => d.urgency === "overdue").length;
  const rows = await page.locator("main table tbody tr").count();
  assert(rows === overdue, `the list shows ${rows} overdue items, the API ${overdue}`);
  await t.axe("Mijn werk: te laat");
  await t.screenshot("mijn-werk-te-laat");
  await t.tabTo('main a[href="/"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/`);

  // Sign out with the keyboard: the session ends, and Mijn werk asks to sign in again.
  await t.tabTo('button[type="submit"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/aanmelden`);
  await page.goto(`${base}/`);
  assert(page.url().startsWith(`${base}/aanmelden`), "after sign-out no page is shown");
}
