// Zoeken en aanmelden: the wijkteam member registers a new household with two members and opens its case in one
// form (first sending it empty: every error at once), adding a member row without JavaScript; then finds the new
// person by BSN (a POST: the BSN is in no URL) and by name and birth date, linked to the new case. Checked through
// the API. Each run makes its own household, so no other scenario's data is touched.

/// A BSN that passes the elfproef from the part of the synthetic block (99999xxxx) the demo leaves to the browser
/// tests (999992000–999995999, see src/demo/mod.rs): this scenario takes 4000–4999 with JavaScript and 5000–5999
/// without, so that neither run finds a demo resident under its number.
function freshBsn(js) {
  const from = js ? 4000 : 5000;
  for (let n = from + Math.floor(Math.random() * 900); n < from + 1000; n++) {
    const s = `99999${String(n).padStart(4, "0")}`;
    const sum = [...s].reduce((acc, d, i) => acc + Number(d) * (i === 8 ? -1 : 9 - i), 0);
    if (sum % 11 === 0) return s;
  }
  return freshBsn(js);
}

export async function run(t) {
  const { page, assert, base, js } = t;
  const email = "wijkteam@demo.eenplan.nl";
  await t.signIn(email);
  await t.tabTo('a[href="/zoeken"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/zoeken`);
  assert((await t.heading()) === "Zoeken en aanmelden", "the search page");
  await t.axe("Zoeken en aanmelden");
  await t.screenshot("zoeken");

  await t.tabTo('main a[href="/zoeken/aanmelden"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/zoeken/aanmelden`);
  assert((await t.heading()) === "Huishouden aanmelden", "the registration form");
  await t.axe("Huishouden aanmelden");
  await t.screenshot("huishouden-aanmelden");

  // Sent empty: every error at once, in a summary that links to each field.
  await t.tabTo('button[value="aanmelden"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector(".error-summary");
  const summary = await page.locator(".error-summary").textContent();
  assert(summary.includes("Postcode") && summary.includes("Huisnummer") && summary.includes("Wetten") && summary.includes("Personen"),
    `all errors at once: ${summary}`);
  await t.axe("Huishouden aanmelden, met fouten");
  await t.screenshot("huishouden-aanmelden-fouten");

  const bsn = freshBsn(js);
  const suffix = js ? "Js" : "Zonder";
  const parent = `Mira Test${suffix}`;
  const child = `Joep Test${suffix}`;
  const type = async (selector, text) => {
    await page.locator(selector).focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(text);
  };
  await type("#veld-postcode", "2711 AB");
  await page.keyboard.press("Tab");
  await page.keyboard.type("42");
  await type("#veld-wijk", "Rokkeveen");
  await page.locator("#wet-Jeugdwet").focus();
  await page.keyboard.press("Space");
  await type("#veld-members-0-person-name", parent);
  await page.keyboard.press("Tab");
  await page.keyboard.type("03-04-1990");
  await page.keyboard.press("Tab");
  await page.keyboard.type(bsn);
  await page.locator("#veld-members-0-relation").selectOption("parent");
  await page.locator("#veld-members-0-custody").focus();
  await page.keyboard.press("Space");

  // One more row, without JavaScript too: what was typed stays.
  await t.tabTo('button[value="persoon-toevoegen"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector("#veld-members-2-person-name");
  assert((await page.locator("#veld-members-2-person-name").count()) === 1, "a third member row");
  assert((await page.locator("#veld-members-0-person-name").inputValue()) === parent, "the typed name is kept");
  assert(await page.locator("#wet-Jeugdwet").isChecked(), "the chosen law is kept");

  await type("#veld-members-1-person-name", child);
  await page.keyboard.press("Tab");
  await page.keyboard.type("2015-06-07");
  await page.locator("#veld-members-1-relation").selectOption("child");
  await t.tabTo('button[value="aanmelden"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/dossiers\/[0-9a-f-]+$/);
  const caseId = page.url().split("/dossiers/")[1];

  // Checked through the API: the case is open and the household has its two members.
  const kase = await t.api(email, "GET", `/api/v1/cases/${caseId}`);
  assert(kase.status === 200 && kase.body.state === "registered", `the new case: ${kase.status}`);
  assert(JSON.stringify(kase.body.laws) === '["Jeugdwet"]', "under the Jeugdwet");
  const household = await t.api(email, "GET", `/api/v1/households/${kase.body.householdId}`);
  const names = household.body.members.map((m) => m.person.name).sort();
  assert(names.length === 2 && names.includes(parent) && names.includes(child), `its members: ${names}`);

  // Found by BSN: a POST, the BSN in no URL.
  await page.goto(`${base}/zoeken`);
  await page.locator("#veld-bsn").focus();
  await page.keyboard.type(bsn);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#gevonden-titel");
  assert(!page.url().includes(bsn), "the BSN is not in the URL");
  const hit = page.locator(`main table a[href="/dossiers/${caseId}"]`);
  assert((await hit.count()) === 1, "the person found is linked to the new case");
  assert((await page.locator("main table").textContent()).includes(parent), "found by BSN");
  await t.axe("Zoeken, gevonden");
  await t.screenshot("zoeken-gevonden");

  // Found by name and birth date.
  await type("#veld-name", child);
  await page.keyboard.press("Tab");
  await page.keyboard.type("07-06-2015");
  await page.keyboard.press("Enter");
  await page.waitForFunction((name) => document.querySelector("main table")?.textContent.includes(name), child);
  assert((await page.locator("main table").textContent()).includes(child), "found by name and birth date");
  assert((await page.locator(`main table a[href="/dossiers/${caseId}"]`).count()) === 1, "linked to the case");
  const api = await t.api(email, "POST", "/api/v1/work/person-search", { bsn });
  assert(api.status === 200 && api.body.items.length === 1 && api.body.items[0].caseId === caseId, "the API finds the same");
}
