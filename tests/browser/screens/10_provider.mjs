// Mijn acties: the demo provider signs in, follows "Mijn acties" from Mijn werk, finds the overdue action first and
// exactly the actions the API lists, records progress on one with the keyboard (checked through the API), opens the
// plan it belongs to; then the regisseur withdraws the consent through the API and the provider, reloading, gets the
// "geen toestemming" page (404, as the API) with nothing of the plan, and Mijn acties no longer lists the household.
// Works on the provider's own demo case (src/demo/provider.rs), directed by the second wijkteam member; each run
// first records a new consent when none is active (the previous run withdrew it). The consent of the demo's other
// active case, which scenarios 04 and 07 rely on, is not touched.
export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const provider = "provider@demo.eenplan.nl";
  const regisseur = "wijkteam.collega@demo.eenplan.nl";
  const work = await t.api(regisseur, "GET", "/api/v1/work");
  const household = work.body.households.find((h) => (h.name || "").includes("Yıldız"));
  assert(household, "the demo has the provider's case");
  const id = household.caseId;
  const history = `/api/v1/consents?caseId=${id}`;
  let consents = (await t.api(regisseur, "GET", history)).body;
  if (!consents.some((x) => x.active)) {
    const sheet = await t.api(regisseur, "GET", `/api/v1/cases/${id}/contacts`);
    const emre = sheet.body.members.find((m) => m.name.startsWith("Emre"));
    const today = new Date().toISOString().slice(0, 10);
    const until = new Date(Date.now() + 180 * 86400000).toISOString().slice(0, 10);
    const given = await t.api(regisseur, "POST", "/api/v1/consents", {
      caseId: id, personId: emre.personId, kind: "consent", givenBy: [{ personId: emre.personId, capacity: "self" }],
      recipientOrganisationIds: consents[0].recipientOrganisationIds, categories: ["basic", "plan"],
      purpose: "Afstemming tussen jeugdhulp en wijkteam over school", validFrom: today, validUntil: until,
    });
    assert(given.status === 201, `a new consent: ${given.status}`);
    consents = (await t.api(regisseur, "GET", history)).body;
  }

  await t.signIn(provider);
  await t.tabTo('main a[href="/acties"]');
  await enter();
  assert((await t.heading()) === "Mijn acties", "Mijn acties");
  const listed = (await t.api(provider, "GET", "/api/v1/work/actions")).body.items;
  const cards = await page.locator("article.action-card").evaluateAll((els) => els.map((e) => e.id));
  const expected = listed.map((a) => `actie-${a.caseId}-${a.actionId}`);
  assert(cards.join() === expected.join(), `the page shows the API's actions in its order: ${cards} / ${expected}`);
  const mentor = listed.find((a) => a.caseId === id && a.actionId === "a-mentor");
  assert(mentor && mentor.goal === "Emre gaat weer elke dag naar school", "the action with its goal");
  assert(listed[0].standing === "overdue", "the overdue one first");
  await t.axe("Mijn acties");
  await t.screenshot("mijn-acties");

  // Progress by keyboard: the status by typing in the closed list, then Opslaan.
  const anchor = `actie-${id}-a-mentor`;
  const [target, word] = mentor.status === "in_progress" ? ["done", "Klaar"] : ["in_progress", "Bezig"];
  await t.tabTo(`[id="${anchor}-status"]`);
  await page.keyboard.type(word);
  await t.tabTo(`[id="${anchor}"] button[type="submit"]`);
  await enter();
  assert(page.url().startsWith(`${base}/acties?melding=voortgang`), `back to Mijn acties: ${page.url()}`);
  assert((await page.locator(".notice").textContent()).includes("De voortgang is opgeslagen."), "the notice");
  const after = (await t.api(provider, "GET", "/api/v1/work/actions")).body.items.find((a) => a.actionId === "a-mentor");
  assert(after.status === target && after.revision === mentor.revision + 1, `the API has it: ${after.status}`);
  await t.axe("Mijn acties, opgeslagen");

  // The plan it belongs to, as the API projects it for the provider.
  await t.tabTo(`[id="${anchor}"] a[href="/dossiers/${id}/plan"]`);
  await enter();
  assert((await t.heading()) === "Plan", "the plan");
  const main = await page.locator("main").textContent();
  assert(main.includes("Gesprek met Emre en zijn mentor") && !main.includes("Post en rekeningen"), "own actions only");
  await t.axe("Plan, als aanbieder");
  await t.screenshot("plan-aanbieder");

  // The consent is withdrawn a moment later: the plan is gone, on the page as in the API.
  for (const c of consents.filter((x) => x.active)) {
    const w = await t.api(regisseur, "POST", `/api/v1/consents/${c.id}/withdraw`, { note: "Emre trekt zijn toestemming in" });
    assert(w.status === 200, `withdrawn: ${w.status}`);
  }
  const res = await page.reload();
  assert(res.status() === 404, `no consent: ${res.status()}, as the API`);
  assert((await t.heading()) === "Geen toestemming", "the page says so");
  const text = await page.locator("main").textContent();
  assert(text.includes("U heeft geen toestemming om het plan van dit huishouden te zien."), "in plain words");
  assert(!text.includes("Gesprek met Emre") && !text.includes("Emre gaat weer"), "nothing of the plan");
  const api = await t.api(provider, "GET", `/api/v1/cases/${id}/plans/current`);
  assert(api.status === 404, `the API refuses it too: ${api.status}`);
  await t.axe("Geen toestemming");
  await t.screenshot("geen-toestemming");

  await t.tabTo('main a[href="/acties"]');
  await enter();
  assert((await page.locator(`article[id^="actie-${id}-"]`).count()) === 0, "Mijn acties leaves the household out");
}
