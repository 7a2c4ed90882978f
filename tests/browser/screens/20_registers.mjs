// Registers for suspicious access. The privacy officer opens a new person's page (registered through the API by the
// wijkteam member, without a BSN), goes to Extra bescherming with the keyboard, first chooses "another reason"
// without saying which (refused, nothing recorded), then places the protection (the API's list has it), finds the
// person on the list of protected persons, and ends the protection. The administrator opens a user's page, goes to
// Eigen huishouden, sends the form empty (every error at once), registers an address and a surname (the API has
// them, in the normalised form), and ends the link. Each run makes its own person; the links add up per run, so
// the checks count only this run's. axe on every screen.

export async function run(t) {
  const { page, assert, base, js } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const member = "wijkteam@demo.eenplan.nl";
  const officer = "privacy_officer@demo.eenplan.nl";
  const admin = "admin@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2715 AB", houseNumber: 90 + (js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const name = js ? "Bram Bekend" : "Bo Bekend";
  const m = await t.api(member, "POST", `/api/v1/households/${h.body.id}/members`, {
    person: { name, birthDate: "1975-02-03" }, relation: "parent", custody: true, from: "2021-03-01",
  });
  assert(m.status === 201, `member: ${m.status} ${JSON.stringify(m.body)}`);
  const person = m.body.person.id;

  await t.signIn(officer);
  await page.goto(`${base}/inzage/personen/${person}`);
  await t.tabTo(`a[href="/inzage/personen/${person}/bescherming"]`);
  await enter();
  assert((await t.heading()) === `Extra bescherming voor ${name}`, `heading: ${await t.heading()}`);
  await t.axe("Extra bescherming instellen");
  await page.locator("#veld-reason-other").focus();
  await page.keyboard.press("Space");
  await t.tabTo('form[action$="/bescherming"] button[type="submit"]');
  await enter();
  assert((await page.locator(".error-summary li").count()) === 1, "the note is missing");
  assert((await page.locator("#veld-reason-other").isChecked()), "the choice kept");
  let theirs = await t.api(officer, "GET", `/api/v1/audit/persons/${person}/protections`);
  assert(theirs.body.items.length === 0, "nothing recorded");
  await t.axe("Extra bescherming, met fout");
  await t.screenshot("bescherming-fout");
  await page.locator("#veld-note").focus();
  await page.keyboard.type("Wethouder van de gemeente");
  await t.tabTo('form[action$="/bescherming"] button[type="submit"]');
  await enter();
  assert((await t.heading()) === `Extra bescherming voor ${name}`, "back on the person's protection");
  assert((await page.content()).includes("Wethouder van de gemeente"), "the note shown");
  theirs = await t.api(officer, "GET", `/api/v1/audit/persons/${person}/protections`);
  assert(theirs.body.items.length === 1 && theirs.body.items[0].reason === "other" && !theirs.body.items[0].endedAt,
    `the API's protection: ${JSON.stringify(theirs.body)}`);
  await t.axe("Extra bescherming, ingesteld");
  await t.screenshot("bescherming-ingesteld");

  await page.goto(`${base}/inzage`);
  await t.tabTo('main a[href="/inzage/bescherming"]');
  await enter();
  assert((await t.heading()) === "Extra bescherming", "the list");
  assert((await page.locator("tbody tr", { hasText: name }).count()) === 1, "the person on the list");
  const listed = await t.api(officer, "GET", "/api/v1/audit/protected-persons");
  assert((await page.locator("tbody tr").count()) === listed.body.items.length, "the list is the API's");
  await t.axe("Extra bescherming, lijst");
  await t.screenshot("bescherming-lijst");

  await page.goto(`${base}/inzage/personen/${person}/bescherming`);
  await t.tabTo('form[action$="/beeindigen"] button');
  await enter();
  assert((await page.content()).includes("De extra bescherming is beëindigd."), "ended");
  theirs = await t.api(officer, "GET", `/api/v1/audit/persons/${person}/protections`);
  assert(theirs.body.items[0].endedAt, "ended in the API");
  await t.axe("Extra bescherming, beëindigd");

  // Beheer: the wijkteam member's own household.
  await t.signIn(admin);
  await page.goto(`${base}/beheer/gebruikers/${me.body.id}`);
  await t.tabTo(`a[href="/beheer/gebruikers/${me.body.id}/eigen-huishouden"]`);
  await enter();
  assert((await t.heading()).startsWith("Eigen huishouden van"), `heading: ${await t.heading()}`);
  const before = (await t.api(admin, "GET", `/api/v1/users/${me.body.id}/own-households`)).body.items.length;
  await t.axe("Eigen huishouden");
  await t.tabTo('main form[action$="/eigen-huishouden"] button[type="submit"]');
  await enter();
  assert((await page.locator(".error-summary li").count()) === 2, "an address or a surname, at both fields");
  assert((await t.api(admin, "GET", `/api/v1/users/${me.body.id}/own-households`)).body.items.length === before,
    "nothing recorded");
  await t.axe("Eigen huishouden, met fouten");
  await t.screenshot("eigen-huishouden-fouten");
  await page.locator("#veld-postcode").focus();
  await page.keyboard.type("2716 bb");
  await page.keyboard.press("Tab");
  await page.keyboard.type(js ? "8" : "9");
  await page.locator("#veld-surname").focus();
  await page.keyboard.type("de Boer");
  await t.tabTo('main form[action$="/eigen-huishouden"] button[type="submit"]');
  await enter();
  assert((await page.content()).includes("Het eigen huishouden is vastgelegd."), "recorded");
  const links = (await t.api(admin, "GET", `/api/v1/users/${me.body.id}/own-households`)).body.items;
  assert(links.length === before + 1, "one more link");
  const mine = links.find((l) => !l.endedAt && l.houseNumber === (js ? 8 : 9));
  assert(mine && mine.postcode === "2716BB" && mine.surname === "de Boer", `the API's link: ${JSON.stringify(links)}`);
  await t.axe("Eigen huishouden, vastgelegd");
  await t.screenshot("eigen-huishouden");
  await t.tabTo(`form[action$="/${mine.id}/beeindigen"] button`);
  await enter();
  const ended = (await t.api(admin, "GET", `/api/v1/users/${me.body.id}/own-households`)).body.items;
  assert(ended.find((l) => l.id === mine.id).endedAt, "ended in the API");
  await t.axe("Eigen huishouden, beëindigd");
}
