// Toestemming: the regisseur records a consent with the keyboard (first refused, with every error at once), sees it
// in the list and through the API, withdraws it again (a confirmation with JavaScript on), and uses "bekijk als…" for
// the youth-care provider: the page shows exactly the parts the provider's own API calls return. Acts on the demo's
// active case; the consent it records is withdrawn again, so what the provider may see is as before.
export async function run(t) {
  const { page, assert, base, js } = t;
  // Enter on a link or a submit button, and the page it leads to.
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const who = "wijkteam@demo.eenplan.nl";
  const listed = await t.api(who, "GET", "/api/v1/cases?limit=200");
  const c = listed.body.items.find((x) => x.state === "active");
  assert(c, "the demo has an active case");
  const history = `/api/v1/consents?caseId=${c.id}`;
  const before = (await t.api(who, "GET", history)).body.length;

  await t.signIn(who);
  await page.goto(`${base}/dossiers/${c.id}/toestemming`);
  assert((await t.heading()) === "Toestemming", "the consent page");
  await t.axe("Toestemming");

  // Record one for the first member (an adult: they consent themselves).
  await t.tabTo(`a[href^="/dossiers/${c.id}/toestemming/nieuw?voor="]`);
  await enter();
  assert((await t.heading()).startsWith("Toestemming vastleggen voor"), "the form");
  const explained = await page.locator(".consent-age").textContent();
  assert(explained.includes("jaar"), `the form says who must consent for this age: ${explained}`);
  await t.axe("Toestemming vastleggen");
  await t.screenshot("toestemming-vastleggen");
  await t.tabTo('main form button[type="submit"]');
  await enter();
  const errors = await page.locator(".error-summary li").count();
  assert(errors >= 4, `every error at once (${errors})`);
  await t.axe("Toestemming vastleggen, met fouten");

  for (const box of ["#gever-zelf", "#categorie-evaluations", "#ontvanger-0"]) {
    await page.locator(box).focus();
    await page.keyboard.press("Space");
  }
  await page.locator("#veld-purpose").focus();
  await page.keyboard.type("Afstemmen over de evaluaties");
  await t.tabTo('main form button[type="submit"]');
  await enter();
  await page.waitForURL(`${base}/dossiers/${c.id}/toestemming?klaar=vastgelegd`);
  const recorded = (await t.api(who, "GET", history)).body;
  assert(recorded.length === before + 1, "the API lists the new consent");
  const mine = recorded[recorded.length - 1];
  assert(mine.active && mine.categories.join() === "evaluations" && mine.purpose === "Afstemmen over de evaluaties", "as entered");
  await t.axe("Toestemming, vastgelegd");
  await t.screenshot("toestemming");

  // Withdraw it again: with JavaScript the browser asks once more.
  if (js) page.once("dialog", (d) => d.accept());
  await page.locator(`#notitie-${mine.id}`).focus();
  await page.keyboard.type("Ingetrokken in het gesprek");
  await enter();
  await page.waitForURL(`${base}/dossiers/${c.id}/toestemming?klaar=ingetrokken`);
  const withdrawn = (await t.api(who, "GET", history)).body.find((x) => x.id === mine.id);
  assert(withdrawn.withdrawnAt && !withdrawn.active, "the API shows it withdrawn");

  // Bekijk als… the youth-care provider.
  await t.tabTo("#veld-organisatie");
  await t.tabTo('main form[action$="/bekijk-als"] button[type="submit"]');
  await enter();
  assert((await t.heading()).startsWith("Bekijk als: "), "the preview");
  await t.axe("Bekijk als");
  await t.screenshot("bekijk-als");
  const shown = await page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll("section.view-as h3")].map((h) => [h.textContent.trim(), h.nextElementSibling.classList.contains("view-as__seen")]),
    ),
  );
  const provider = "provider@demo.eenplan.nl";
  const parts = {
    "Het dossier": `/api/v1/cases/${c.id}`,
    Contactgegevens: `/api/v1/cases/${c.id}/contacts`,
    "Het plan": `/api/v1/cases/${c.id}/plans/current`,
    "ZRM-scores": `/api/v1/cases/${c.id}/assessments`,
    Evaluaties: `/api/v1/cases/${c.id}/evaluations`,
    Toestemmingen: history,
  };
  for (const [part, pathname] of Object.entries(parts)) {
    const theirs = await t.api(provider, "GET", pathname);
    assert(shown[part] === (theirs.status === 200), `${part}: the preview says ${shown[part]}, the provider's API call answers ${theirs.status}`);
  }
}
