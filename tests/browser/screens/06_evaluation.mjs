// Evaluatie: the demo wijkteam member, regisseur of a household of their own with an agreed plan (made here through
// the API), records an evaluation with the keyboard: first without participants or a decision (every error at
// once), then complete; checks the summary, goes back to the form and returns, and records it. Checked through the
// API. What each participant will do is typed in the box beside them, reached with Tab.
import { ownCase, withHeaders } from "./04_plan.mjs";

const REGISSEUR = "wijkteam@demo.eenplan.nl";

/// "Controleren", with the keyboard.
async function submit(t) {
  await t.page.locator('form[action$="/controleren"] button[type="submit"]').focus();
  await Promise.all([t.page.waitForNavigation(), t.page.keyboard.press("Enter")]);
}

export async function run(t) {
  withHeaders(t);
  const { page, assert, base } = t;
  const c = await ownCase(t, { agreed: true });
  await t.signIn(REGISSEUR);
  await page.goto(`${base}/dossiers/${c.id}/evaluaties`);
  assert((await t.heading()) === "Evaluaties", "the evaluations page");
  assert((await page.locator("main").textContent()).includes("1 maart 2027"), "the next evaluation from the plan");
  await t.axe("Evaluaties, nog geen");

  await t.tabTo(`a[href="/dossiers/${c.id}/evaluaties/nieuw"]`);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/evaluaties/nieuw`);
  assert((await t.heading()) === "Evaluatie vastleggen", "the form");
  assert((await page.locator("main").textContent()).includes("Weer grip op geld"), "the plan's goal");
  await t.axe("Evaluatie vastleggen");

  // Nothing chosen: every error at once.
  await submit(t);
  const summary = await page.locator(".error-summary").textContent();
  assert(summary.includes("Wie deden mee") && summary.includes("Besluit"), `all errors: ${summary}`);
  await t.axe("Evaluatie vastleggen, met fouten");

  // Complete: who took part, the goal's progress, the decision.
  await page.locator("#veld-participants").focus();
  await page.keyboard.press("Space");
  await t.tabTo('textarea[name^="wat:member:"]', 2);
  await page.keyboard.type("Belt de woningcorporatie.");
  await page.locator(`input[name="participants"][value="professional:${c.me}"]`).focus();
  await page.keyboard.press("Space");
  await t.tabTo(`textarea[name="wat:professional:${c.me}"]`, 2);
  await page.keyboard.type("Regelt een afspraak bij de schuldhulp.");
  await page.locator("#veld-network").focus();
  await page.keyboard.type("Oma Testouder");
  await page.locator("#veld-goalProgress-0-status").selectOption("partly_achieved");
  await page.locator("#veld-goalProgress-0-note").focus();
  await page.keyboard.type("Twee maanden de huur op tijd betaald.");
  await page.locator("#veld-decision").focus();
  await page.keyboard.press("Space");
  await page.locator("#veld-nextEvaluationDate").fill("2027-02-01");
  await t.screenshot("evaluatie-vastleggen");
  await submit(t);
  await page.waitForURL(`${base}/dossiers/${c.id}/evaluaties/controleren`);
  assert((await t.heading()) === "Evaluatie controleren", "the summary to confirm");
  const text = await page.locator("main").textContent();
  for (const s of ["Wat ieder gaat doen", "Belt de woningcorporatie.", "Regelt een afspraak bij de schuldhulp.", "Fatima Testouder", "Oma Testouder", "Deels bereikt", "Twee maanden de huur op tijd betaald.", "Doorgaan met het plan", "1 februari 2027"]) {
    assert(text.includes(s), `summary shows ${s}`);
  }
  let listed = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/evaluations`);
  assert(listed.body.items.length === 0, "nothing recorded before confirming");
  await t.axe("Evaluatie controleren");
  await t.screenshot("evaluatie-controleren");

  // Back to the form and forward again: nothing lost.
  await t.tabTo('button[formaction]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/evaluaties/nieuw`);
  assert((await page.locator("#veld-goalProgress-0-note").inputValue()) === "Twee maanden de huur op tijd betaald.", "kept");
  await submit(t);
  await page.waitForURL(`${base}/dossiers/${c.id}/evaluaties/controleren`);

  // Vastleggen.
  await t.tabTo('form[action$="/evaluaties"] button:not([formaction])');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${c.id}/evaluaties?melding=vastgelegd`);
  assert((await page.locator(".notice").textContent()).includes("vastgelegd"), "recorded notice");
  listed = await t.api(REGISSEUR, "GET", `/api/v1/cases/${c.id}/evaluations`);
  const e = listed.body.items[0];
  assert(listed.body.items.length === 1 && e.decision === "continue", "recorded through the API");
  assert(e.participants.length === 3 && e.goalProgress[0].status === "partly_achieved", "as summarised");
  assert(listed.body.nextEvaluationDate === "2027-02-01", "the next evaluation");
  const whats = e.agreements.map((a) => a.what);
  assert(whats.join("|") === "Belt de woningcorporatie.|Regelt een afspraak bij de schuldhulp.", `agreements: ${whats}`);
  assert((await page.locator("main").textContent()).includes("Belt de woningcorporatie."), "the list shows them");
  await t.axe("Evaluaties");
  await t.screenshot("evaluaties");
}
