// Team (the teamleider): the wijkteam member registers a household of their own through the API (a case without a
// regisseur, new in every run, so nothing another scenario relies on is touched). The teamleider opens /team, follows
// the count of the phase "aangemeld" to its list and the case's link with the keyboard, sees an involve without a
// choice refused at the fields, involves the demo colleague and releases them again, and proposes the member as
// regisseur with "de familie koos deze persoon"; /team then shows the proposal waiting; the member accepts on the
// case page; a handover to the colleague, who does not see the case, is answered on the proposal's page. Each result
// is checked through the API.
export async function run(t) {
  const { page, assert, base } = t;
  const member = "wijkteam@demo.eenplan.nl";
  const colleague = "wijkteam.collega@demo.eenplan.nl";
  const lead = "teamleider@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const other = await t.api(colleague, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2713 TL", houseNumber: 50 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Wmo"] });
  assert(c.status === 201, `case: ${c.status}`);
  const id = c.body.id;

  // The caseload: the counts are the API's; the new case has no regisseur.
  await t.signIn(lead);
  await page.goto(`${base}/team`);
  assert((await t.heading()) === "Dossiers van het team", "the caseload");
  const load = await t.api(lead, "GET", "/api/v1/caseload");
  assert(load.status === 200, `caseload: ${load.status}`);
  const registered = load.body.cases.filter((x) => x.case.state === "registered").length;
  const count = (await page.locator('a[href="/team?fase=aangemeld"] .work-counts__count').textContent()).trim();
  assert(count === String(registered), `the count is the API's: ${count} / ${registered}`);
  const row = page.locator("tr", { has: page.locator(`a[href="/dossiers/${id}"]`) });
  assert((await row.textContent()).includes("geen regisseur"), "the new case has no regisseur");
  await t.axe("Team");
  await t.screenshot("team");

  // The phase's list, and the case, with the keyboard.
  await t.tabTo('a[href="/team?fase=aangemeld"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/team?fase=aangemeld`);
  assert((await t.heading()).includes("fase aangemeld"), "the filtered list");
  await t.axe("Team, fase aangemeld");
  await t.tabTo(`a[href="/dossiers/${id}"]`, 200);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}`);

  // Involving without a choice: both errors at once, at the top and at the fields.
  await page.locator("#veld-involveUserId").focus();
  await t.tabTo('form[action$="/betrokkenen"] button');
  await page.keyboard.press("Enter");
  await page.waitForLoadState();
  const summary = await page.locator(".error-summary").textContent();
  assert(summary.includes("Hulpverlener") && summary.includes("Wat doet deze hulpverlener"), "every error at once");
  await t.axe("Huishouden, betrekken zonder keuze");
  await t.screenshot("team-betrekken-fout");

  // Involving the colleague, and releasing them again.
  await page.locator("#veld-involveUserId").focus();
  await page.locator("#veld-involveUserId").selectOption(other.body.id);
  await page.keyboard.press("Tab");
  await page.keyboard.type("gezinscoach");
  await t.tabTo('form[action$="/betrokkenen"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=betrokken#betrokkenen-titel`);
  assert((await page.locator(".notice").textContent()).includes("betrokken"), "the involve is confirmed");
  const involved = await t.api(lead, "GET", `/api/v1/cases/${id}/involvements`);
  const inv = involved.body.find((i) => i.userId === other.body.id && i.validUntil === null);
  assert(inv && inv.roleInCase === "gezinscoach", "the API lists the colleague");
  await t.axe("Huishouden, hulpverlener betrokken");
  await t.screenshot("team-betrokken");
  await t.tabTo(`form[action$="/betrokkenen/${inv.id}/beeindigen"] button`, 120);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=beeindigd#betrokkenen-titel`);
  assert((await page.locator(".notice").textContent()).includes("beëindigd"), "the release is confirmed");
  const released = await t.api(lead, "GET", `/api/v1/cases/${id}/involvements`);
  assert(released.body.find((i) => i.id === inv.id).validUntil !== null, "the API shows the release");

  // Proposing the member as regisseur, the family's choice.
  await page.locator("#veld-userId").focus();
  await page.locator("#veld-userId").selectOption(me.body.id);
  await t.tabTo("#veld-familyChoice");
  await page.keyboard.press("Space");
  await t.tabTo('form[action$="/regisseur"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=voorgesteld`);
  const proposed = await t.api(lead, "GET", `/api/v1/cases/${id}/regisseur`);
  const open = proposed.body.find((a) => a.status === "proposed");
  assert(open && open.userId === me.body.id && open.familyChoice === true, "the API has the proposal, the family's choice");
  await t.axe("Huishouden, regisseur voorgesteld");
  await t.screenshot("team-voorgesteld");

  // The caseload shows the proposal waiting.
  await page.goto(`${base}/team`);
  const waiting = page.locator("section", { has: page.locator("#voorstellen-titel") });
  const line = waiting.locator("tr", { has: page.locator(`a[href="/dossiers/${id}"]`) });
  assert((await line.textContent()).includes("Eerste regisseur"), "the proposal waits on the caseload");
  assert((await line.textContent()).includes("Ja"), "the family's choice");
  await t.axe("Team, voorstel wacht");
  await t.screenshot("team-voorstellen");

  // The member accepts on the case page.
  await t.signIn(member);
  await page.goto(`${base}/dossiers/${id}`);
  await t.tabTo('form[action$="/regisseur/accepteren"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=geaccepteerd`);
  const history = await t.api(lead, "GET", `/api/v1/cases/${id}/regisseur`);
  assert(history.body.some((a) => a.userId === me.body.id && a.status === "active"), "the API has the regisseur");

  // A handover to the colleague, who is not involved (released above): the case page sends them to the proposal,
  // which they decline with the keyboard.
  const handover = await t.api(lead, "PUT", `/api/v1/cases/${id}/regisseur`, { userId: other.body.id });
  assert(handover.status === 201, `handover: ${handover.status}`);
  await t.signIn(colleague);
  await page.goto(`${base}/dossiers/${id}`);
  await page.waitForURL(`${base}/dossiers/${id}/voorstel`);
  assert((await t.heading()) === "Voorstel: regisseur worden", "the proposal's page");
  await t.axe("Voorstel");
  await t.screenshot("team-voorstel-beantwoorden");
  await t.tabTo('form[action$="/regisseur/afwijzen"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/`);
  const answered = await t.api(lead, "GET", `/api/v1/cases/${id}/regisseur`);
  assert(answered.body.some((a) => a.userId === other.body.id && a.status === "declined"), "the API has the refusal");

  // A wijkteam member has no caseload.
  const res = await page.goto(`${base}/team`);
  assert(res.status() === 403, `a wijkteam member has no caseload: ${res.status()}`);

  // The teamleider involves a professional of another organisation (an aanbieder), from the case page's link.
  await t.signIn(lead);
  await page.goto(`${base}/dossiers/${id}`);
  await t.tabTo(`a[href="/dossiers/${id}/betrokkenen/aanbieder"]`, 150);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}/betrokkenen/aanbieder`);
  assert((await t.heading()) === "Een aanbieder betrekken", "the page to involve an aanbieder");
  await t.axe("Een aanbieder betrekken");
  await t.screenshot("team-aanbieder-betrekken");
  const providers = await t.api(lead, "GET", `/api/v1/cases/${id}/involvements/providers`);
  const demoProvider = providers.body.find((p) => p.displayName === "Demo provider");
  assert(demoProvider, "the demo provider is offered");
  await page.locator("#veld-userId").focus();
  await page.keyboard.type("Demo provider");
  assert((await page.locator("#veld-userId").inputValue()) === demoProvider.userId, "chosen with the keyboard");
  await page.keyboard.press("Tab");
  await page.keyboard.type("schuldhulpverlener");
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=betrokken#betrokkenen-titel`);
  const after = await t.api(lead, "GET", `/api/v1/cases/${id}/involvements`);
  assert(after.body.some((i) => i.userId === demoProvider.userId && i.kind === "provider"), "the API lists the aanbieder");
}
