// Inzage: the wijkteam member registers a household with a child known by a fresh BSN (new in every run) and
// reads the case three times through the API. The privacy officer opens Inzage from the header, finds the child
// by BSN with the keyboard (a POST: the BSN is in no URL), sees who saw the child's data — the reads on one line
// with their count and basis, no employee names — then asks for the names with a reason (a POST: the reason is in
// no URL) and opens the printable letter for the family. Each overview is the API's. axe on every screen.

/// A BSN that passes the elfproef from the part of the synthetic block (99999xxxx) the demo leaves to the browser
/// tests (999992000–999995999, see src/demo/mod.rs): this scenario takes 2000–2999 with JavaScript and 3000–3999
/// without, so that neither run finds a demo resident, someone out of scope, under its number.
function freshBsn(js) {
  const from = js ? 2000 : 3000;
  for (let n = from + Math.floor(Math.random() * 900); n < from + 1000; n++) {
    const s = `99999${String(n).padStart(4, "0")}`;
    const sum = [...s].reduce((acc, d, i) => acc + Number(d) * (i === 8 ? -1 : 9 - i), 0);
    if (sum % 11 === 0) return s;
  }
  return freshBsn(js);
}

export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const member = "wijkteam@demo.eenplan.nl";
  const officer = "privacy_officer@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const bsn = freshBsn(t.js);
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2715 AB", houseNumber: 80 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const m = await t.api(member, "POST", `/api/v1/households/${h.body.id}/members`, {
    person: { name: "Isa Inzagen", birthDate: "2013-04-09", bsn }, relation: "child", custody: false, from: "2021-03-01",
  });
  assert(m.status === 201, `member: ${m.status} ${JSON.stringify(m.body)}`);
  const person = m.body.person.id;
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Jeugdwet"] });
  assert(c.status === 201, `case: ${c.status}`);
  for (let i = 0; i < 3; i++) {
    const r = await t.api(member, "GET", `/api/v1/cases/${c.body.id}`);
    assert(r.status === 200, `case read: ${r.status}`);
  }

  await t.signIn(officer);
  await t.tabTo('a[href="/inzage"]');
  await enter();
  assert((await t.heading()) === "Inzage", "Inzage");
  await t.axe("Inzage");
  await t.screenshot("inzage");

  await page.locator("#veld-bsn").focus();
  await page.keyboard.type(bsn);
  await enter();
  assert(new URL(page.url()).pathname === `/inzage/personen/${person}`, `the person's page: ${page.url()}`);
  assert(!page.url().includes(bsn), "the BSN is not in the URL");
  assert((await t.heading()) === "Wie zag de gegevens van Isa Inzagen?", `heading: ${await t.heading()}`);
  const html = await page.content();
  assert(!html.includes(bsn), "the page does not show the BSN");
  assert(!html.includes("Demo wijkteam"), "no employee names by default");
  const reads = page.locator("tbody tr", { hasText: "Dossier bekeken" });
  assert((await reads.count()) === 1, "three reads of the case on one line");
  const cells = await reads.first().locator("td").allTextContents();
  assert(cells[5].trim() === "3", `the count: ${cells}`);
  assert(cells[4].includes("Helpt het gezin") || cells[4].includes("Regisseur") || cells[4].includes("Medewerker van het wijkteam"),
    `the basis in words: ${cells[4]}`);
  const api = await t.api(officer, "GET", `/api/v1/audit/persons/${person}/overview`);
  const apiReads = api.body.lines.filter((l) => l.action === "case.read");
  assert(apiReads.length === 1 && apiReads[0].count === 3, `the API's line: ${JSON.stringify(apiReads)}`);
  await t.axe("Wie zag de gegevens");
  await t.screenshot("inzage-persoon");

  // The names, for a reason (a POST).
  await page.locator("#veld-reason").focus();
  await page.keyboard.type("Vraag van de moeder: wie heeft het dossier van haar dochter bekeken?");
  await t.tabTo('form[action$="/namen"] button');
  await enter();
  assert(!page.url().includes("Vraag"), "the reason is not in the URL");
  assert((await page.content()).includes("Demo wijkteam"), "the names, now asked for");
  await t.axe("Wie zag de gegevens, met namen");
  await t.screenshot("inzage-persoon-namen");

  // The letter for the family, without names.
  await page.goto(`${base}/inzage/personen/${person}`);
  await t.tabTo(`a[href="/inzage/personen/${person}/afdrukken"]`);
  await enter();
  assert((await t.heading()) === "Wie heeft uw gegevens bekeken?", "the letter");
  const letter = await page.content();
  assert(letter.includes("Isa Inzagen") && !letter.includes("Demo wijkteam") && !letter.includes(bsn), "the letter's content");
  await t.axe("Overzicht voor de persoon");
  await t.screenshot("inzage-brief");

  // Logboek: the case's events (a GET form, chosen with the keyboard), the API's list; then the register.
  await page.goto(`${base}/inzage`);
  await t.tabTo('main a[href="/inzage/logboek"]');
  await enter();
  assert((await t.heading()) === "Logboek", "the log");
  await page.locator("#veld-caseId").focus();
  await page.keyboard.type(c.body.id);
  await t.tabTo('form[action="/inzage/logboek"] button');
  await enter();
  const rows = await page.locator("tbody tr").count();
  const logApi = await t.api(officer, "GET", `/api/v1/audit/events?caseId=${c.body.id}&limit=500`);
  // The API's read names the case too, and came after the page's.
  assert(rows + 1 === logApi.body.items.length, `rows ${rows}, API ${logApi.body.items.length}`);
  assert((await page.locator("tbody tr", { hasText: "Dossier bekeken" }).count()) === 3, "the three reads");
  assert(!(await page.content()).includes("Isa Inzagen"), "no client's name in the log");
  await t.axe("Logboek per dossier");
  await t.screenshot("inzage-logboek");

  await page.goto(`${base}/inzage/register`);
  assert((await t.heading()) === "Register van verwerkingen", "the register");
  await t.axe("Register van verwerkingen");
  await t.screenshot("inzage-register");

  // Meldingen: a scan of the last ten days from the page finds the demo's planted night of mass access, the search
  // not followed by work and the break-glass use not judged in time; each links to its events.
  await page.goto(`${base}/inzage/meldingen`);
  assert((await t.heading()) === "Meldingen van verdachte toegang", "the findings");
  const day = (d) => { const x = new Date(Date.now() - d * 86400000); return `${x.getDate()}-${x.getMonth() + 1}-${x.getFullYear()}`; };
  await page.locator("#veld-from").focus();
  await page.keyboard.type(day(12));
  await page.keyboard.press("Tab");
  await page.keyboard.type(day(0));
  await t.tabTo('form[action="/inzage/meldingen/scan"] button');
  await enter();
  const found = await t.api(officer, "GET", "/api/v1/audit/findings");
  const kindsFound = new Set(found.body.items.map((f) => f.kind));
  for (const kind of ["off_hours", "many_households", "unfollowed_search", "break_glass_unreviewed"]) {
    assert(kindsFound.has(kind), `the demo's ${kind}: ${[...kindsFound]}`);
  }
  const night = found.body.items.find((f) => f.kind === "many_households");
  assert(night.userName === "Demo wijkteam collega" && night.figure === 12, `the night: ${JSON.stringify(night)}`);
  assert((await page.locator("tbody tr", { hasText: "Veel huishoudens" }).count()) >= 1, "listed on the page");
  await t.axe("Meldingen");
  await t.screenshot("inzage-meldingen");
  await page.goto(`${base}/inzage/meldingen/${night.id}`);
  assert((await page.locator("tbody tr").count()) === 12, "the night's twelve first visits");
  await t.axe("Melding");
  await t.screenshot("inzage-melding");

  await page.goto(`${base}/inzage/controles`);
  assert((await t.heading()) === "Controles van het logboek", "the reviews");
  await t.axe("Controles van het logboek");
  await t.screenshot("inzage-controles");
}
