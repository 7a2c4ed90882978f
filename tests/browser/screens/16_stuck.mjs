// Procescoördinatie: the wijkteam member registers a household of two through the API (new in every run, so
// nothing another scenario relies on is touched) and records a ZRM assessment for each with three life domains at
// 1 or 2 — the complexity rule holds at once, so the case is stuck without waiting. The procescoördinator lands on
// the queue, finds the case with its reason and no names, filters by reason with the keyboard (a GET form) and
// follows a count's link; each list is the API's. The member then sees "Waarom zit dit vast?" on the case page and
// follows its remedy link by keyboard. axe on the queue, the filtered queue and the case page with the panel.
export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const member = "wijkteam@demo.eenplan.nl";
  const pc = "procescoordinator@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2714 VS", houseNumber: 70 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const names = ["Noor Vastenhouw", "Bram Vastenhouw"];
  const people = [];
  for (const [i, name] of names.entries()) {
    const m = await t.api(member, "POST", `/api/v1/households/${h.body.id}/members`, {
      person: { name, birthDate: i === 0 ? "1984-06-11" : "1982-02-23" }, relation: i === 0 ? "parent" : "partner",
      custody: i === 0, from: "2021-03-01",
    });
    assert(m.status === 201, `member ${name}: ${m.status}`);
    people.push(m.body.person.id);
  }
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Wmo"] });
  assert(c.status === 201, `case: ${c.status}`);
  const id = c.body.id;
  // Today as the server counts days (UTC): the rule holds from the day of the second assessment.
  const today = new Date().toISOString().slice(0, 10);
  for (const personId of people) {
    const a = await t.api(member, "POST", `/api/v1/cases/${id}/assessments`, {
      personId, kind: "start", assessedOn: today, scores: { financien: 1, huisvesting: 2, werk_opleiding: 2, sociaal_netwerk: 4 },
    });
    assert(a.status === 201, `assessment: ${a.status} ${JSON.stringify(a.body)}`);
  }
  const stuck = await t.api(member, "GET", `/api/v1/cases/${id}/stuck`);
  assert(stuck.body.reasons.some((r) => r.code === "complexity"), `the case is stuck: ${JSON.stringify(stuck.body)}`);

  // The procescoördinator's start page is the queue; the case is in it with its reason, named by its wijk only.
  await t.signIn(pc);
  assert(new URL(page.url()).pathname === "/procescoordinatie", `the start page: ${page.url()}`);
  assert((await t.heading()) === "Vastgelopen dossiers", "the queue");
  const queue = await t.api(pc, "GET", "/api/v1/escalations/queue");
  assert(queue.status === 200, `queue: ${queue.status}`);
  const shown = async () =>
    (await page.locator(".stuck-queue__id").allTextContents()).map((s) => s.trim().replace(/^Dossier /, ""));
  const rows = await shown();
  assert(JSON.stringify(rows) === JSON.stringify(queue.body.cases.map((x) => x.caseId)), "the rows are the API's");
  const row = page.locator("tr", { hasText: `Dossier ${id}` });
  assert((await row.textContent()).includes("levensgebieden op ZRM 1 of 2 bij 2 gezinsleden"), "the reason in words");
  // Whole values, not fragments: a case id or a timestamp may hold "1984" by chance.
  const html = await page.content();
  for (const word of ["Vastenhouw", "Noor", "2714 VS", "2714VS", "1984-06-11", "11-06-1984", "11 juni 1984"]) {
    assert(!html.includes(word), `the queue shows ${word}`);
  }
  await t.axe("Vastgelopen dossiers");
  await t.screenshot("vastgelopen");

  // The filter form by keyboard: reason "Veel problemen tegelijk".
  await page.locator("#veld-reden").focus();
  await page.locator("#veld-reden").selectOption("complexity");
  await t.tabTo("form.stuck-filter button");
  await enter();
  const url = new URL(page.url());
  assert(url.pathname === "/procescoordinatie" && url.searchParams.get("reden") === "complexity", `filtered: ${page.url()}`);
  const filtered = await t.api(pc, "GET", "/api/v1/escalations/queue?reason=complexity");
  const filteredRows = await shown();
  assert(filteredRows.includes(id), "the case is in the filtered list");
  assert(JSON.stringify(filteredRows) === JSON.stringify(filtered.body.cases.map((x) => x.caseId)), "the API's filter");
  await t.axe("Vastgelopen dossiers, gefilterd");
  await t.screenshot("vastgelopen-gefilterd");

  // A count's link filters too.
  await page.goto(`${base}/procescoordinatie`);
  await t.tabTo('a[href="/procescoordinatie?reden=complexity"]');
  await enter();
  assert((await shown()).includes(id), "the count's link lists the case");

  // The member's case page: why it is stuck, and the remedy as a link.
  await t.signIn(member);
  await page.goto(`${base}/dossiers/${id}`);
  const panel = page.locator("section.stuck-panel");
  assert((await panel.locator("h2").textContent()).trim() === "Waarom zit dit vast?", "the panel");
  assert((await panel.textContent()).includes("3 of meer levensgebieden op ZRM 1 of 2 bij 2 gezinsleden"), "the reason");
  await t.axe("Huishouden, waarom zit dit vast");
  await t.screenshot("huishouden-vastgelopen");
  await t.tabTo(`section.stuck-panel a[href="/dossiers/${id}/zrm"]`);
  await enter();
  assert(new URL(page.url()).pathname === `/dossiers/${id}/zrm`, "the remedy's page");
}
