// Bewaartermijnen: the privacy officer opens it from Inzage; the page lists the cases the API's dry run lists (on a
// fresh demo the planted youth case closed 21 years ago); running without ticking the confirmation is refused with
// the field's error, with it the run removes them and the dry run is empty after. A legal hold is placed on an
// open case by its number and lifted again; an erasure request is recorded from a person's page, shows the ground
// that stands in its way (the open case) and is refused with a reason. Keyboard only; axe on every state.

export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const member = "wijkteam@demo.eenplan.nl";
  const officer = "privacy_officer@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2716 CD", houseNumber: 40 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const m = await t.api(member, "POST", `/api/v1/households/${h.body.id}/members`, {
    person: { name: "Bram Bewaren", birthDate: "1979-02-11" }, relation: "parent", custody: true, from: "2019-01-01",
  });
  assert(m.status === 201, `member: ${m.status}`);
  const person = m.body.person.id;
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Wmo"] });
  assert(c.status === 201, `case: ${c.status}`);

  await t.signIn(officer);
  await page.goto(`${base}/inzage`);
  await t.tabTo('main a[href="/inzage/bewaren"]');
  await enter();
  assert((await t.heading()) === "Bewaartermijnen", `heading: ${await t.heading()}`);
  const plan = await t.api(officer, "GET", "/api/v1/retention/plan");
  const rows = await page.locator("#te-verwijderen tbody tr").count();
  assert(rows === plan.body.cases.length, `rows ${rows}, the dry run ${plan.body.cases.length}`);
  await t.axe("Bewaartermijnen");
  await t.screenshot("bewaren");
  if (plan.body.cases.length > 0) {
    assert(plan.body.cases.some((x) => x.laws.includes("Jeugdwet")), `the demo's old youth case: ${JSON.stringify(plan.body.cases)}`);
    await t.tabTo('form[action="/inzage/bewaren/uitvoeren"] button');
    await enter();
    assert((await page.locator(".field__error").count()) === 1, "the confirmation is required");
    const still = await t.api(officer, "GET", "/api/v1/retention/plan");
    assert(still.body.cases.length === plan.body.cases.length, "nothing was removed");
    await t.axe("Bewaartermijnen, niet bevestigd");
    await page.locator("#veld-confirm").focus();
    await page.keyboard.press("Space");
    await t.tabTo('form[action="/inzage/bewaren/uitvoeren"] button');
    await enter();
    assert((await page.content()).includes("De bewaartermijnen zijn toegepast"), "the notice");
    const after = await t.api(officer, "GET", "/api/v1/retention/plan");
    assert(after.body.cases.length === 0, `nothing due after the run: ${JSON.stringify(after.body.cases)}`);
    const runs = await t.api(officer, "GET", "/api/v1/retention/runs");
    assert(runs.body.items[0].cases === plan.body.cases.length, `the run's count: ${JSON.stringify(runs.body.items[0])}`);
    await t.axe("Bewaartermijnen, uitgevoerd");
    await t.screenshot("bewaren-uitgevoerd");
  }

  // A legal hold on the open case, by its number; then lifted.
  await page.locator("#veld-caseId").focus();
  await page.keyboard.type(c.body.id);
  await page.locator("#veld-reason").focus();
  await page.keyboard.type("Klacht bij de Nationale ombudsman");
  await t.tabTo('form[action="/inzage/bewaren/bewaarplicht"] button');
  await enter();
  const holds = await t.api(officer, "GET", "/api/v1/retention/holds");
  const hold = holds.body.items.find((x) => x.caseId === c.body.id);
  assert(hold && !hold.liftedAt, `the hold: ${JSON.stringify(holds.body.items)}`);
  await page.locator(`#opheffen-${hold.id}`).focus();
  await page.keyboard.type("Klacht afgehandeld");
  await t.tabTo(`form[action="/inzage/bewaren/bewaarplicht/${hold.id}/opheffen"] button`);
  await enter();
  const lifted = (await t.api(officer, "GET", "/api/v1/retention/holds")).body.items.find((x) => x.id === hold.id);
  assert(lifted.liftedAt && lifted.liftReason === "Klacht afgehandeld", `lifted: ${JSON.stringify(lifted)}`);

  // An erasure request from the person's page, refused for the open case.
  await page.goto(`${base}/inzage/personen/${person}`);
  const now = new Date();
  await page.locator("#veld-ontvangen").focus();
  await page.keyboard.type(`${now.getDate()}-${now.getMonth() + 1}-${now.getFullYear()}`);
  await t.tabTo(`form[action="/inzage/personen/${person}/verwijderverzoek"] button`);
  await enter();
  assert(new URL(page.url()).pathname === "/inzage/bewaren", `back on Bewaren: ${page.url()}`);
  const requests = await t.api(officer, "GET", "/api/v1/retention/erasure-requests");
  const request = requests.body.items.find((x) => x.personId === person);
  assert(request && request.grounds.includes("open_case"), `the request: ${JSON.stringify(request)}`);
  assert((await page.content()).includes("er loopt nog een zaak van het huishouden"), "the ground in words");
  assert(await page.locator(`#uitvoeren-${request.id}`).isDisabled(), "carrying out is not offered");
  await t.axe("Bewaartermijnen, verzoek");
  await t.screenshot("bewaren-verzoek");
  await page.locator(`#afwijzen-${request.id}`).focus();
  await page.keyboard.press("Space");
  await page.locator(`#reden-${request.id}`).focus();
  await page.keyboard.type("De hulp loopt nog; de persoon krijgt een brief.");
  await t.tabTo(`form[action="/inzage/bewaren/verzoeken/${request.id}"] button`);
  await enter();
  const decided = (await t.api(officer, "GET", "/api/v1/retention/erasure-requests")).body.items.find((x) => x.id === request.id);
  assert(decided.status === "refused" && decided.decisionReason.includes("lid 3 onder b"), `refused: ${JSON.stringify(decided)}`);
}
