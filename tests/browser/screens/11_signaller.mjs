// Signaleren: the demo signaller registers a signal on Milan Verhoef by keyboard (first sending the form empty: every
// error at once), which makes an address match with his half-sister Anjali's signal; follows the link to the match,
// sees the other professional's contact details and confirms contact. Checked through the API. On the second run
// (the same demo) Milan is signalled already: the form says the organisation has an active signal on him, and the
// signaller goes on to "Mijn matches", where the match shows the contact confirmed.
export async function run(t) {
  const { page, assert, base } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const me = "signaller@demo.eenplan.nl";
  // The signaller knows the child's BSN from their own work; the test takes it from the wijkteam's search.
  const found = await t.api("wijkteam@demo.eenplan.nl", "POST", "/api/v1/persons/search", {
    name: "Milan Verhoef", birthDate: "2020-05-29",
  });
  assert(found.status === 200 && found.body.items.length === 1, `Milan: ${found.status}`);
  const bsn = found.body.items[0].bsn;
  const active = async () =>
    (await t.api(me, "GET", "/api/v1/signals")).body.items.filter((s) => s.subjectName === "Milan Verhoef" && s.status === "active");
  const already = (await active()).length > 0;

  await t.signIn(me);
  await page.goto(`${base}/signalen`);
  assert((await t.heading()) === "Mijn signalen", "Mijn signalen");
  await t.axe("Mijn signalen");
  await t.screenshot("mijn-signalen");

  // Removing asks why, on a page of its own; sent without a reason it is refused; "Nee" goes back, nothing removed.
  await t.tabTo('main a[href$="/verwijderen"]');
  await enter();
  assert((await t.heading()) === "Signaal verwijderen", "the removal asks first");
  await t.axe("Signaal verwijderen");
  await t.screenshot("signaal-verwijderen");
  await t.tabTo('main button[type="submit"]');
  await enter();
  assert((await page.locator(".error-summary").textContent()).includes("Waarom verwijdert u het signaal?"), "a reason");
  await t.axe("Signaal verwijderen, zonder reden");
  await t.tabTo('main a[href="/signalen"]');
  await enter();
  assert((await t.heading()) === "Mijn signalen", "back");

  await t.tabTo('main a[href="/signalen/nieuw"]');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/signalen/nieuw`);
  assert((await t.heading()) === "Signaal afgeven", "the form");
  const main = await page.locator("main").textContent();
  assert(main.includes("Niet waarom."), "it says only THAT is recorded");
  assert((await page.locator("main textarea").count()) === 0, "no free text");
  await t.axe("Signaal afgeven");
  await t.screenshot("signaal-afgeven");

  // Empty: every error at once, linked to its field.
  await t.tabTo('main button[type="submit"]');
  await enter();
  const summary = await page.locator(".error-summary").textContent();
  assert(summary.includes("3 fouten") && summary.includes("BSN") && summary.includes("Geboortedatum"), `summary: ${summary}`);
  assert((await page.locator('.error-summary a[href="#veld-contact"]').count()) === 1, "the contact error links to it");
  await t.axe("Signaal afgeven, met fouten");
  await t.screenshot("signaal-afgeven-fouten");

  await page.locator("#veld-subject-bsn").focus();
  await page.keyboard.type(bsn);
  await page.keyboard.press("Tab");
  await page.keyboard.type("29-05-2020");
  await page.locator("#veld-contact-email").focus();
  await page.keyboard.type("signaller@demo.eenplan.nl");
  await page.keyboard.press("Tab");
  await enter();
  assert(!page.url().includes(bsn), "no BSN in the URL");

  if (!already) {
    assert(/\/signalen\/[^/]+\/geregistreerd$/.test(page.url()), `after registering: ${page.url()}`);
    assert((await t.heading()) === "Signaal afgegeven", "the result page");
    assert((await page.locator("main").textContent()).includes("Er is een match"), "there is a match");
    await t.axe("Signaal afgegeven, met match");
    await t.screenshot("signaal-afgegeven");
    await t.tabTo('main a[href^="/matches/"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/matches\/[^/?]+$/);
  } else {
    const error = await page.locator(".error-summary").textContent();
    assert(error.includes("al een actief signaal over deze persoon"), `the refusal: ${error}`);
    assert((await page.locator("#veld-contact-email").inputValue()) === "signaller@demo.eenplan.nl", "input kept");
    await t.axe("Signaal afgeven, al gesignaleerd");
    await t.tabTo('main a[href="/signalen"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/signalen`);
    await t.tabTo('main a[href="/matches"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/matches`);
    assert((await t.heading()) === "Mijn matches", "Mijn matches");
    await t.axe("Mijn matches");
  }
  const signals = await active();
  assert(signals.length === 1, "one active signal on Milan");
  const address = signals[0].matches.find((m) => m.kind === "address");
  assert(address, "an address match");
  if (already) {
    const text = await page.locator(`section[aria-labelledby="match-${address.id}"]`).textContent();
    assert(text.includes("Fatima Yilmaz") && text.includes("079 346 00 11"), "the others' contacts in the list");
    assert(text.includes("Ja, op"), "confirmed on the first run");
    return;
  }
  assert(page.url() === `${base}/matches/${address.id}`, `the address match: ${page.url()}`);
  const match = await page.locator("main").textContent();
  assert(match.includes("Fatima Yilmaz") && match.includes("Basisschool De Regenboog"), "who");
  assert(match.includes("079 346 00 11"), "how to reach them");
  assert(!match.includes("Milan") && !match.includes("Anjali"), "no one's name but the professionals'");
  await t.axe("Match");
  await t.screenshot("match-signaller");
  await t.tabTo('main form[action$="/contact"] button');
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/matches/${address.id}?gedaan=contact`);
  assert((await page.locator(".notice").textContent()).includes("bevestigd"), "confirmed");
  await t.axe("Match, contact bevestigd");
  await t.screenshot("match-signaller-bevestigd");
  const matches = await t.api(me, "GET", "/api/v1/matches");
  const m = matches.body.items.find((x) => x.id === address.id);
  const own = m.members.find((x) => x.own);
  assert(own && own.contactConfirmedAt, "the API has the confirmation");

  // Milan once more: refused, as the second run will find it.
  await page.goto(`${base}/signalen/nieuw`);
  await page.locator("#veld-subject-bsn").focus();
  await page.keyboard.type(bsn);
  await page.keyboard.press("Tab");
  await page.keyboard.type("29-05-2020");
  await page.locator("#veld-contact-phone").focus();
  await page.keyboard.type("079 123 45 67");
  await page.locator("main button[type=submit]").focus();
  await enter();
  const refused = await page.locator(".error-summary").textContent();
  assert(refused.includes("al een actief signaal over deze persoon"), `the refusal: ${refused}`);
  await t.axe("Signaal afgeven, al gesignaleerd");
  await t.screenshot("signaal-afgeven-al-gesignaleerd");
  assert((await active()).length === 1, "still one signal");
}
