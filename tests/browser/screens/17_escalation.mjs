// The escalation ladder: the wijkteam member registers a household through the API (new in every run) and raises an
// escalation from the case page by keyboard — first without a reason (refused at the field, nothing raised), then
// with one. The teamleider finds it in the level-1 list (the API's list) and answers it. The procescoördinator
// follows the queue's link to it, sees no link to the case and no content (the API answers 404), adopts it (the
// API then gives the case), records an agreement after an empty one is refused, convenes the professionals and
// closes it with an outcome after a missing choice is refused: the outcome shows the counts, and the case is 404
// to them again. axe on the raise form with its error, the level-1 list, the escalation page before and after
// adoption and closed.
export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const member = "wijkteam@demo.eenplan.nl";
  const lead = "teamleider@demo.eenplan.nl";
  const pc = "procescoordinator@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2715 EL", houseNumber: 90 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const m = await t.api(member, "POST", `/api/v1/households/${h.body.id}/members`, {
    person: { name: "Ilse Ladderman", birthDate: "1979-09-14" }, relation: "parent", custody: true, from: "2020-01-01",
  });
  assert(m.status === 201, `member: ${m.status}`);
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Wmo"] });
  assert(c.status === 201, `case: ${c.status}`);
  const id = c.body.id;

  // The member raises it from the case page.
  await t.signIn(member);
  await page.goto(`${base}/dossiers/${id}`);
  await t.tabTo(`a[href="/escalaties/nieuw?dossier=${id}"]`);
  await enter();
  assert((await t.heading()) === "Escalatie melden", "the raise form");
  await t.tabTo("form.form button");
  await enter();
  assert(await page.locator(".error-summary").isVisible(), "a reason is required");
  const none = await t.api(member, "GET", "/api/v1/escalations?status=open");
  assert(!none.body.some((e) => e.caseId === id), "nothing raised without a reason");
  await t.axe("Escalatie melden, met fout");
  await page.locator("#veld-reason").focus();
  await page.keyboard.type("De hulp komt niet op gang; de betrokkenen zijn het oneens over wie de regie heeft.");
  await t.tabTo("form.form button");
  await enter();
  const eid = new URL(page.url()).pathname.split("/").pop();
  const raised = await t.api(member, "GET", `/api/v1/escalations/${eid}`);
  assert(raised.status === 200 && raised.body.caseId === id && raised.body.level === 1, `raised: ${raised.status}`);
  assert((await t.heading()).startsWith("Escalatie: Huishouden in Centrum"), "the escalation page");

  // The teamleider's level-1 list, and the answer.
  await t.signIn(lead);
  await page.goto(`${base}/escalaties?niveau=1`);
  assert((await t.heading()) === "Escalaties", "the list");
  const list = await t.api(lead, "GET", "/api/v1/escalations?level=1&status=open");
  const shown = (await page.locator(".escalation-list__case").allTextContents()).map((s) => s.trim());
  assert(JSON.stringify(shown) === JSON.stringify(list.body.map((e) => e.caseId)), "the rows are the API's");
  await t.axe("Escalaties, niveau 1");
  await t.screenshot("escalaties-niveau-1");
  await t.tabTo(`a[href="/escalaties/${eid}"]`);
  await enter();
  await page.locator("#veld-respond-text").focus();
  await page.keyboard.type("Ik bespreek het dinsdag in het teamoverleg.");
  await t.tabTo('form[action$="/reageren"] button');
  await enter();
  const answered = await t.api(lead, "GET", `/api/v1/escalations/${eid}`);
  assert(answered.body.respondedAt, "the answer stopped the clock");
  assert((await page.locator(".notice").textContent()).includes("Uw reactie is vastgelegd"), "the notice");

  // The procescoördinator: the escalation is in their list; no content yet.
  await t.signIn(pc);
  await page.goto(`${base}/escalaties`);
  assert((await page.locator(`a[href="/escalaties/${eid}"]`).count()) === 1, "the escalation is in their list");
  await page.goto(`${base}/escalaties/${eid}`);
  assert((await page.locator(`a[href="/dossiers/${id}"]`).count()) === 0, "no link to the case before adoption");
  const before = await t.api(pc, "GET", `/api/v1/cases/${id}`);
  assert(before.status === 404, `the case before adoption: ${before.status}`);
  // Whole values, not fragments: an id or a timestamp may hold "1979" by chance.
  const html = await page.content();
  for (const word of ["Ladderman", "Ilse", "2715 EL", "2715EL", "1979-09-14", "14-09-1979", "14 september 1979"]) {
    assert(!html.includes(word), `the escalation shows ${word}`);
  }
  await t.axe("Escalatie, niet geadopteerd");
  await t.screenshot("escalatie-open");
  await t.tabTo('form[action$="/adopteren"] button');
  await enter();
  const during = await t.api(pc, "GET", `/api/v1/cases/${id}`);
  assert(during.status === 200, `the case after adoption: ${during.status}`);
  assert((await page.locator(`a[href="/dossiers/${id}"]`).count()) > 0, "the case is linked once adopted");

  // An agreement: empty is refused at the field, then recorded.
  await t.tabTo('form[action$="/afspraken"] button');
  await enter();
  assert(await page.locator(".error-summary").isVisible(), "an agreement needs text");
  await t.axe("Escalatie, afspraak met fout");
  await page.locator("#veld-text").focus();
  await page.keyboard.type("De GGZ en het wijkteam voeren samen één gesprek met het gezin.");
  await t.tabTo('form[action$="/afspraken"] button');
  await enter();
  await t.tabTo('form[action$="/bijeenroepen"] button');
  await enter();
  const acted = await t.api(pc, "GET", `/api/v1/escalations/${eid}`);
  const kinds = acted.body.steps.map((s) => s.kind);
  assert(kinds.includes("agreement") && kinds.includes("convened") && kinds.includes("adopted"), `steps: ${kinds}`);
  await t.axe("Escalatie, geadopteerd");
  await t.screenshot("escalatie-geadopteerd");

  // Closing: the choice is required; then the outcome with the computed counts, and the case is closed to them.
  await t.tabTo('form[action$="/afsluiten"] button');
  await enter();
  assert(await page.locator(".error-summary").isVisible(), "perspective is required");
  await page.locator("#veld-perspectiveRegained").focus();
  await page.keyboard.press("Space");
  await page.locator("#veld-note").focus();
  await page.keyboard.type("Eén plan, één regisseur; de GGZ stopt.");
  await t.tabTo('form[action$="/afsluiten"] button');
  await enter();
  const closed = await t.api(pc, "GET", `/api/v1/escalations/${eid}`);
  assert(closed.body.status === "closed" && closed.body.perspectiveRegained === true, "closed with the outcome");
  const outcome = await page.locator('section[aria-labelledby="uitkomst-titel"]').textContent();
  assert(outcome.includes("Perspectief terug") && outcome.includes("Ja"), "the outcome is shown");
  assert(outcome.includes(`${closed.body.professionalsAtAdoption} bij de adoptie`), "the counts at adoption");
  const after = await t.api(pc, "GET", `/api/v1/cases/${id}`);
  assert(after.status === 404, `the case after closing: ${after.status}`);
  await t.axe("Escalatie, afgesloten");
  await t.screenshot("escalatie-afgesloten");

  // The demo's own closed escalation, with its outcome: from the list of closed ones.
  const done = await t.api(pc, "GET", "/api/v1/escalations?status=closed");
  const demo = done.body.find((e) => e.triggerCode === "many_hands");
  assert(demo, "the demo has a closed escalation");
  await page.goto(`${base}/escalaties?afgesloten=1`);
  assert((await page.locator(`a[href="/escalaties/${demo.id}"]`).count()) === 1, "it is in the closed list");
  await page.goto(`${base}/escalaties/${demo.id}`);
  const demoOutcome = await page.locator('section[aria-labelledby="uitkomst-titel"]').textContent();
  const counts = `${demo.organisationsAtAdoption} bij de adoptie, ${demo.organisationsAtClose} bij het afsluiten`;
  assert(demoOutcome.includes(counts), `the demo's outcome: ${demoOutcome}`);
  await t.axe("Escalatie van de demo, afgesloten");
  await t.screenshot("escalatie-demo-afgesloten");
}
