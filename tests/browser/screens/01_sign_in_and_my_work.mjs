// Sign-in and Mijn werk: the wijkteam member signs in with the keyboard, sees the households they work on (the
// same cases the API lists for them), and signs out; the session is then gone.
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
  const listed = await t.api("wijkteam@demo.eenplan.nl", "GET", "/api/v1/cases?limit=200");
  const links = await page.locator('main a[href^="/dossiers/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const ids = listed.body.items.map((c) => `/dossiers/${c.id}`);
  assert(ids.length > 0 && ids.every((id) => links.includes(id)), "every case the API lists is on Mijn werk");
  assert(links.every((l) => ids.includes(l)), "Mijn werk shows no case the API does not list");

  // Sign out with the keyboard: the session ends, and Mijn werk asks to sign in again.
  await t.tabTo('button[type="submit"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/aanmelden`);
  await page.goto(`${base}/`);
  assert(page.url().startsWith(`${base}/aanmelden`), "after sign-out no page is shown");
}
