// Matches volgen: the matchregisseur sees the matches still waiting for contact, the overdue one (Lotte's person
// match, three weeks without a confirmation) first, with who has and has not confirmed, never the person and never
// contact details; sends a reminder by keyboard; checked through the API (the reminder is recorded: the API refuses a
// second one the same day). On the second run (the same demo) the page says a reminder was sent already.
export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const me = "matchregisseur@demo.eenplan.nl";
  const list = await t.api(me, "GET", "/api/v1/matches?overdue=true");
  assert(list.status === 200 && list.body.items.length >= 1, `overdue matches: ${list.status}`);
  const overdue = list.body.items[0];

  await t.signIn(me);
  await page.goto(`${base}/matches`);
  assert((await t.heading()) === "Matches", "the matchregisseur's matches");
  const first = page.locator("main section").first();
  assert((await first.getAttribute("aria-labelledby")) === `match-${overdue.id}`, "overdue first");
  const firstText = await first.textContent();
  assert(firstText.includes("Te laat") && firstText.includes("Nog niet"), "overdue, and who has not confirmed");
  const main = await page.locator("main").textContent();
  for (const secret of ["Lotte", "079 ", "@school.", "Yasmin", "Adam"]) {
    assert(!main.includes(secret), `no ${secret} for the matchregisseur`);
  }
  assert(main.includes("Ja, op"), "who has confirmed (the address match)");
  await t.axe("Matches (matchregisseur)");
  await t.screenshot("matches-matchregisseur");

  await t.tabTo(`main a[href="/matches/${overdue.id}"]`);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/matches/${overdue.id}`);
  await t.axe("Match (matchregisseur)");
  await t.screenshot("match-matchregisseur");
  await t.tabTo(`main form[action="/matches/${overdue.id}/herinneren"] button`);
  await enter();
  if (page.url() === `${base}/matches/${overdue.id}?gedaan=herinnerd`) {
    assert((await page.locator(".notice").textContent()).includes("herinnering is verstuurd"), "sent");
    await t.axe("Match, herinnering verstuurd");
    await t.screenshot("match-herinnerd");
    // Once more the same day: refused, with why.
    await t.tabTo(`main form[action="/matches/${overdue.id}/herinneren"] button`);
    await enter();
    assert((await page.locator(".error-summary").textContent()).includes("al een herinnering verstuurd"), "refused");
    await t.axe("Match, al herinnerd");
    await t.screenshot("match-al-herinnerd");
  } else {
    const problem = await page.locator(".error-summary").textContent();
    assert(problem.includes("al een herinnering verstuurd"), `the second run: ${problem}`);
    await t.axe("Match, al herinnerd");
    await t.screenshot("match-al-herinnerd");
  }
  const again = await t.api(me, "POST", `/api/v1/matches/${overdue.id}/remind`);
  assert(again.status === 409, `the reminder is recorded: a second one is refused (${again.status})`);
  const other = list.body.items.length > 1 ? null : (await t.api(me, "GET", "/api/v1/matches?overdue=false")).body.items[0];
  if (other) {
    const remind = await t.api("signaller@demo.eenplan.nl", "POST", `/api/v1/matches/${other.id}/remind`);
    assert(remind.status === 403, `a signaller may not remind (${remind.status})`);
  }
}
