// Plan: the demo wijkteam member, as regisseur of a household of their own (made here through the API, so no other
// scenario's data is touched), starts a draft, fills in a goal and an action with the keyboard, adds a row, saves;
// then edits while a colleague saves in between — the page explains the conflict, shows the colleague's version and
// keeps the typed text; records the family's agreement in its own words; compares two versions; opens the family's
// printable copy. Every result is checked through the API.

const REGISSEUR = "wijkteam@demo.eenplan.nl";
const TEAMLEIDER = "teamleider@demo.eenplan.nl";

/// A household with a parent and a child, an open case, the demo wijkteam member as its regisseur; with `agreed`
/// also an agreed plan (one goal, one action). Returns the ids.
export async function ownCase(t, { agreed = false } = {}) {
  const { api, assert } = t;
  const me = await api(REGISSEUR, "GET", "/api/v1/auth/me");
  const cases = await api(REGISSEUR, "GET", "/api/v1/cases?limit=1");
  const teamId = cases.body.items[0].teamId;
  const house = 100 + (Date.now() % 9000);
  const h = await api(REGISSEUR, "POST", "/api/v1/households", { postcode: "2711ZZ", houseNumber: house, wijk: "Rokkeveen", teamId });
  assert(h.status === 201, `household: ${h.status} ${JSON.stringify(h.body)}`);
  const members = `/api/v1/households/${h.body.id}/members`;
  const parent = await api(REGISSEUR, "POST", members, {
    person: { name: "Fatima Testouder", birthDate: "1986-04-02" }, relation: "parent", custody: true, from: "2012-01-01",
  });
  assert(parent.status === 201, `parent: ${parent.status}`);
  const child = await api(REGISSEUR, "POST", members, {
    person: { name: "Yara Testkind", birthDate: "2013-09-09" }, relation: "child", from: "2013-09-09",
  });
  assert(child.status === 201, `child: ${child.status}`);
  const c = await api(REGISSEUR, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Jeugdwet"] });
  assert(c.status === 201, `case: ${c.status} ${JSON.stringify(c.body)}`);
  const id = c.body.id;
  const proposed = await api(TEAMLEIDER, "PUT", `/api/v1/cases/${id}/regisseur`, { userId: me.body.id });
  assert(proposed.status === 201, `propose: ${proposed.status} ${JSON.stringify(proposed.body)}`);
  const accepted = await api(REGISSEUR, "POST", `/api/v1/cases/${id}/regisseur/accept`, {});
  assert(accepted.status === 200, `accept: ${accepted.status}`);
  const out = { id, me: me.body.id, parent: parent.body.person.id, child: child.body.person.id };
  if (agreed) {
    const d = await api(REGISSEUR, "POST", `/api/v1/cases/${id}/plans`, {});
    assert(d.status === 201, `draft: ${d.status}`);
    const content = {
      goals: [{ id: "g-geld", domain: "financien", personId: out.parent, description: "Weer grip op geld",
        target: "Drie maanden op rij de huur op tijd", dueDate: "2027-06-01", status: "open" }],
      actions: [{ id: "a-budget", goalId: "g-geld", description: "Budgetplan maken",
        owner: { kind: "professional", userId: out.me }, dueDate: "2027-01-15" }],
      nextEvaluationDate: "2027-03-01",
    };
    const put = await t.apiWith(REGISSEUR, "PUT", `/api/v1/cases/${id}/plans/${d.body.number}`, { content }, { "if-match": `"${d.body.revision}"` });
    assert(put.status === 200, `content: ${put.status} ${JSON.stringify(put.body)}`);
    const ag = await t.apiWith(REGISSEUR, "POST", `/api/v1/cases/${id}/plans/${d.body.number}/agree`,
      { agreement: { memberIds: [out.parent], method: "conversation" } }, { "if-match": `"${put.body.revision}"` });
    assert(ag.status === 200, `agree: ${ag.status} ${JSON.stringify(ag.body)}`);
  }
  return out;
}

/// The API with extra headers (If-Match), as the same user.
export function withHeaders(t) {
  t.apiWith = async (email, method, pathname, body, headers) => {
    const login = await fetch(`${t.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: t.password }),
    });
    const { accessToken } = await login.json();
    const res = await fetch(`${t.base}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return t;
}

/// Focus, Enter, and wait for the page the form answers with (also when it is the same address).
export async function press(t, selector) {
  await t.page.locator(selector).focus();
  await Promise.all([t.page.waitForNavigation(), t.page.keyboard.press("Enter")]);
}

/// Enter in a field of a form: the form's default button.
export async function enterIn(t, selector) {
  await t.page.locator(selector).focus();
  await Promise.all([t.page.waitForNavigation(), t.page.keyboard.press("Enter")]);
}

async function typeInto(t, selector, text) {
  await t.page.locator(selector).focus();
  await t.page.keyboard.press("Control+A");
  await t.page.keyboard.type(text);
}

export async function run(t) {
  withHeaders(t);
  const { page, assert, base } = t;
  const c = await ownCase(t);
  await t.signIn(REGISSEUR);
  await page.goto(`${base}/dossiers/${c.id}/plan`);
  assert((await t.heading()) === "Plan", "the plan page");
  assert((await page.locator("main").textContent()).includes("Er is nog geen plan"), "no plan yet");
  await t.axe("Plan, leeg");

  // Start a draft with the keyboard.
  await t.tabTo(`form[action="/dossiers/${c.id}/plan/concept"] button`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/plan\/1\/bewerken/);
  assert((await t.heading()) === "Concept versie 1 bewerken", "the edit form");
  await t.axe("Concept bewerken");

  // One goal and one action, typed.
  await typeInto(t, "#veld-goals-0-description", "Weer grip op geld");
  await page.keyboard.press("Tab");
  await page.locator("#veld-goals-0-domain").selectOption("financien");
  await page.locator("#veld-goals-0-personId").selectOption(c.parent);
  await typeInto(t, "#veld-goals-0-target", "Drie maanden op rij de huur op tijd betaald");
  await page.locator("#veld-goals-0-dueDate").fill("2027-06-01");
  await typeInto(t, "#veld-actions-0-description", "Budgetplan maken met Fatima");
  const goalId = await page.locator('input[name="goals[0].id"]').inputValue();
  await page.locator("#veld-actions-0-goalId").selectOption(goalId);
  await page.locator("#veld-actions-0-owner").selectOption(`professional:${c.me}`);
  await page.locator("#veld-actions-0-dueDate").fill("2027-01-15");
  await page.locator("#veld-nextEvaluationDate").fill("2027-03-01");
  // "Rij toevoegen": the form comes back with one more goal, and what was typed.
  await press(t, 'button[value="rij-doel"]');
  assert((await page.locator("legend", { hasText: "Doel 2" }).count()) === 1, "a second goal row");
  assert((await page.locator("#veld-goals-0-description").inputValue()) === "Weer grip op geld", "typed text kept");
  await t.screenshot("plan-bewerken");
  // Save with Enter in a text field (the form's first button is Opslaan).
  await page.locator("#veld-goals-0-target").focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/plan?melding=opgeslagen`);
  assert((await page.locator(".notice").textContent()).includes("opgeslagen"), "saved notice");
  let v = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/plans/1`);
  assert(v.body.content.goals.length === 1 && v.body.content.goals[0].description === "Weer grip op geld", "goal saved");
  assert(v.body.content.actions[0].owner.userId === c.me, "owner saved");
  await t.axe("Plan met concept");
  await t.screenshot("plan");

  // A stale edit: a colleague (here: the API) saves while the form is open.
  await page.goto(`${base}/dossiers/${c.id}/plan/1/bewerken`);
  await typeInto(t, "#veld-goals-0-description", "Mijn nieuwe tekst voor dit doel");
  const theirs = structuredClone(v.body.content);
  theirs.goals[0].description = "De tekst van een collega";
  const put = await t.apiWith(REGISSEUR, "PUT", `/api/v1/cases/${c.id}/plans/1`, { content: theirs }, { "if-match": `"${v.body.revision}"` });
  assert(put.status === 200, `colleague's save: ${put.status}`);
  await enterIn(t, "#veld-goals-0-target");
  const main = await page.locator("main").textContent();
  assert(main.includes("Iemand anders heeft dit concept intussen opgeslagen"), "the conflict is explained");
  assert(main.includes("De tekst van een collega"), "their version is shown");
  assert((await page.locator("#veld-goals-0-description").inputValue()) === "Mijn nieuwe tekst voor dit doel", "the typed text is kept");
  v = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/plans/1`);
  assert(v.body.content.goals[0].description === "De tekst van een collega", "nothing silently overwritten");
  await t.axe("Concept, iemand anders was eerder");
  await t.screenshot("plan-conflict");
  // Saving again, knowingly, saves the user's text.
  await page.locator("#veld-goals-0-target").focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/plan?melding=opgeslagen`);
  v = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/plans/1`);
  assert(v.body.content.goals[0].description === "Mijn nieuwe tekst voor dit doel", "saved after the conflict");

  // The family agrees, in its own words.
  await page.goto(`${base}/dossiers/${c.id}/plan/1/instemming`);
  await t.axe("Antwoord van het gezin");
  await page.locator("#veld-agreement-memberIds").focus();
  await page.keyboard.press("Space");
  await page.locator("#veld-agreement-method").focus();
  await page.keyboard.press("Space");
  const words = "We doen mee. Fatima wil wel eerst weten wie de budgetcoach is.";
  await page.locator("#veld-agreement-statement").focus();
  await page.keyboard.type(words);
  await t.screenshot("plan-instemming");
  await press(t, 'form[action$="/instemming"] button[type="submit"]');
  await page.waitForURL(`${base}/dossiers/${c.id}/plan?melding=ingestemd`);
  v = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/plans/current`);
  assert(v.body.number === 1 && v.body.agreement.statement === words && !v.body.agreement.refused, "agreed in their words");

  // A second draft, one change, and the differences between the two versions.
  await t.tabTo(`form[action="/dossiers/${c.id}/plan/concept"] button`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/plan\/2\/bewerken/);
  await typeInto(t, "#veld-actions-0-description", "Budgetplan maken en elke maand bespreken");
  await page.locator("#veld-actions-0-description").press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/plan?melding=opgeslagen`);
  await page.goto(`${base}/dossiers/${c.id}/plan/verschil?van=1&naar=2`);
  assert((await page.locator("main").textContent()).includes("Budgetplan maken en elke maand bespreken"), "the changed action is listed");
  await t.axe("Verschil tussen versies");
  await t.screenshot("plan-verschil");
  const diff = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/plans/compare?from=1&to=2`);
  assert(diff.body.actions.changed.length === 1, "the API sees the same change");

  // The family's printable copy.
  await page.goto(`${base}/dossiers/${c.id}/plan`);
  await t.tabTo(`a[href="/dossiers/${c.id}/plan/current/afdrukken"]`);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/plan/current/afdrukken`);
  assert((await t.heading()) === "Ons gezinsplan", "the family's copy");
  assert((await page.locator("main").textContent()).includes(words), "with the family's own words");
  await t.axe("Afdrukbaar plan");
  await page.emulateMedia({ media: "print" });
  await t.screenshot("plan-afdrukken");
  await page.emulateMedia({ media: "screen" });
}
