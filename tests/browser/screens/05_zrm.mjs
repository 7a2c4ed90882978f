// ZRM: the wijkteam member records two ZRM-Huishoudens assessments with the keyboard (first a refused one, whose
// errors come all at once), then sees the radar and the table with previous and current side by side; the API holds
// what the form sent. Acts on the demo's case in the intake phase, by adding assessments only.
export async function run(t) {
  const { page, assert, base } = t;
  // Enter on a link or a submit button, and the page it leads to.
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const who = "wijkteam@demo.eenplan.nl";
  const listed = await t.api(who, "GET", "/api/v1/cases?limit=200");
  const c = listed.body.items.find((x) => x.state === "intake");
  assert(c, "the demo has a case in the intake phase");
  const path = `/api/v1/cases/${c.id}/assessments`;
  const before = (await t.api(who, "GET", path)).body.filter((a) => a.personId === null).length;

  await t.signIn(who);
  await page.goto(`${base}/dossiers/${c.id}/zrm`);
  assert((await t.heading()).startsWith("ZRM"), "the ZRM page");
  await t.axe("ZRM");

  async function record(kind, scores) {
    await t.tabTo(`a[href="/dossiers/${c.id}/zrm/nieuw?voor=huishouden"]`);
    await enter();
    assert((await t.heading()).startsWith("Nieuwe ZRM-meting"), "the form");
    await page.locator(`#kind-${kind}`).focus();
    await page.keyboard.press("Space");
    for (const [domain, score] of Object.entries(scores)) {
      await page.locator(`#veld-scores-${domain.replace(/_/g, "-")}`).focus();
      await page.keyboard.press(String(score));
      const value = await page.locator(`#veld-scores-${domain.replace(/_/g, "-")}`).inputValue();
      assert(value === String(score), `${domain} chosen with the keyboard: ${value}`);
    }
    await t.tabTo('main button[type="submit"]');
    await enter();
    await page.waitForURL(`${base}/dossiers/${c.id}/zrm`);
  }

  // A form without a kind and without scores: both errors at once, linked to their fields.
  await t.tabTo(`a[href="/dossiers/${c.id}/zrm/nieuw?voor=huishouden"]`);
  await enter();
  await t.axe("Nieuwe ZRM-meting");
  await t.screenshot("zrm-meting");
  await t.tabTo('main button[type="submit"]');
  await enter();
  const summary = await page.locator(".error-summary").textContent();
  assert(summary.includes("2 fouten") && summary.includes("Soort meting") && summary.includes("Scores"), `errors at once: ${summary}`);
  await t.axe("Nieuwe ZRM-meting, met fouten");
  await page.goto(`${base}/dossiers/${c.id}/zrm`);

  await record("start", { hh_financien: 2, hh_huisvesting: 3, hh_relaties_in_huis: 4 });
  await record("intermediate", { hh_financien: 3, hh_huisvesting: 3, hh_relaties_in_huis: 5 });

  const after = (await t.api(who, "GET", path)).body.filter((a) => a.personId === null);
  assert(after.length === before + 2, `two household assessments recorded (${before} → ${after.length})`);
  const last = after[after.length - 1];
  assert(last.kind === "intermediate" && last.scores.hh_financien === 3 && last.scores.hh_relaties_in_huis === 5, "the API holds the scores");

  // The chart and its table: previous and current side by side.
  const svg = page.locator("section.zrm-subject svg[role='img']").last();
  assert((await svg.count()) === 1, "a radar chart drawn on the server");
  const row = (await page.locator("section.zrm-subject").last().locator("tr", { hasText: "Financiën van het huishouden" }).textContent()).replace(/\s+/g, " ");
  assert(row.includes("2 (niet zelfredzaam)") && row.includes("3 (beperkt zelfredzaam)") && row.includes("1 hoger"), `progress in the table: ${row}`);
  await t.axe("ZRM, met metingen");
  await t.screenshot("zrm");
}
