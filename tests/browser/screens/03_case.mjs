// Huishouden (the case page): the wijkteam member registers a household of their own through the API (so no other
// scenario's data is touched), opens its case page, moves the case to its next phase with the keyboard, and sees
// a close without a reason refused with the error at the field; the teamleider proposes the member as regisseur
// and the member accepts on the page. Each result is checked through the API.
export async function run(t) {
  const { page, assert, base } = t;
  const member = "wijkteam@demo.eenplan.nl";
  const lead = "teamleider@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2712 KL", houseNumber: 40 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const m = await t.api(member, "POST", `/api/v1/households/${h.body.id}/members`, {
    person: { name: "Noor Bakker", birthDate: "1990-05-17" }, relation: "parent", custody: true, from: "2024-03-01",
  });
  assert(m.status === 201, `member: ${m.status}`);
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Wmo"] });
  assert(c.status === 201, `case: ${c.status}`);
  const id = c.body.id;

  await t.signIn(member);
  await page.goto(`${base}/dossiers/${id}`);
  assert((await t.heading()).startsWith("Huishouden 2712KL"), "the household by its address");
  const current = await page.locator('.phase-bar [aria-current="step"]').textContent();
  assert(current.includes("Aangemeld") && current.includes("huidige fase"), "the current phase, in words");
  assert((await page.locator("main").textContent()).includes("Noor Bakker"), "who belongs to the household");
  await t.axe("Huishouden");
  await t.screenshot("huishouden");

  // The next step with the keyboard.
  await t.tabTo('form[action$="/fase"] button');
  assert((await page.evaluate(() => document.activeElement.textContent)).includes("Kennismaking"), "the next step");
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=fase`);
  assert((await page.locator(".notice").textContent()).includes("fase"), "the change is confirmed");
  const after = await t.api(member, "GET", `/api/v1/cases/${id}`);
  assert(after.body.state === "intake", `the API says intake: ${after.body.state}`);

  // Closing needs a reason: the error at the top and at the field, nothing changed.
  await page.locator("#veld-closeReason").focus();
  await t.tabTo('form:has(#veld-closeReason) button');
  await page.keyboard.press("Enter");
  await page.waitForLoadState();
  assert((await page.locator(".error-summary").textContent()).includes("Reden van afsluiten"), "the error summary");
  await t.axe("Huishouden, afsluiten zonder reden");
  await t.screenshot("huishouden-fout");
  assert((await t.api(member, "GET", `/api/v1/cases/${id}`)).body.state === "intake", "nothing changed");

  // The teamleider proposes the member as regisseur; the member accepts.
  await t.signIn(lead);
  await page.goto(`${base}/dossiers/${id}`);
  await t.axe("Huishouden, teamleider");
  await t.screenshot("huishouden-teamleider");
  await page.locator("#veld-userId").selectOption(me.body.id);
  await page.locator("#veld-reason").focus();
  await page.keyboard.type("Kent het gezin al.");
  await t.tabTo('form[action$="/regisseur"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=voorgesteld`);

  await t.signIn(member);
  await page.goto(`${base}/dossiers/${id}`);
  await t.tabTo('form[action$="/regisseur/accepteren"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=geaccepteerd`);
  await t.axe("Huishouden, met regisseur");
  const history = await t.api(member, "GET", `/api/v1/cases/${id}/regisseur`);
  assert(history.body.some((a) => a.userId === me.body.id && a.status === "active"), "the API has the regisseur");

  // A case outside one's scope: 404, as the API.
  await t.signIn("provider@demo.eenplan.nl");
  const res = await page.goto(`${base}/dossiers/${id}`);
  assert(res.status() === 404, `out of scope: ${res.status()}`);
  await t.axe("Dossier niet gevonden");
}
