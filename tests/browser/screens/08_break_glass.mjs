// Noodtoegang (break-glass): a wijkteam colleague who is not involved in a new case finds it out of scope (404),
// follows the offer of break-glass, fills in the reason and the justification with the keyboard (a too-short
// justification is refused first), and reads the case with the banner that says until when; checked through the
// API (the caller's own open window).
export async function run(t) {
  const { page, assert, base } = t;
  const member = "wijkteam@demo.eenplan.nl";
  const colleague = "wijkteam.collega@demo.eenplan.nl";
  const me = await t.api(member, "GET", "/api/v1/auth/me");
  const teamId = me.body.roles.find((g) => g.role === "wijkteam").teamId;
  const h = await t.api(member, "POST", "/api/v1/households", {
    postcode: "2713 MN", houseNumber: 8 + (t.js ? 1 : 2), wijk: "Centrum", teamId,
  });
  assert(h.status === 201, `household: ${h.status}`);
  const c = await t.api(member, "POST", "/api/v1/cases", { householdId: h.body.id, laws: ["Jeugdwet"] });
  assert(c.status === 201, `case: ${c.status}`);
  const id = c.body.id;

  await t.signIn(colleague);
  const res = await page.goto(`${base}/dossiers/${id}`);
  assert(res.status() === 404, "out of scope: 404");
  await t.axe("Dossier niet gevonden, met noodtoegang");
  await t.tabTo(`a[href="/dossiers/${id}/noodtoegang"]`);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}/noodtoegang`);
  assert((await t.heading()) === "Noodtoegang", "the dialog");
  assert((await page.locator("main").textContent()).includes("vastgelegd en beoordeeld"), "it says it is logged");
  await t.axe("Noodtoegang");
  await t.screenshot("noodtoegang");

  // The reason with the keyboard (arrow keys in the radio group), a justification too short: refused.
  await t.tabTo("#veld-reason");
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab");
  await page.keyboard.type("acuut");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForLoadState();
  assert((await page.locator(".error-summary").textContent()).includes("Toelichting"), "the error summary");
  assert((await page.locator("#veld-justification").inputValue()) === "acuut", "the text is kept");
  assert(await page.locator("#veld-reason").isChecked(), "the reason is kept");
  await t.axe("Noodtoegang, met fout");
  await t.screenshot("noodtoegang-fout");
  const none = await t.api(colleague, "GET", `/api/v1/break-glass/mine?caseId=${id}`);
  assert(none.body.length === 0, "nothing opened");

  await page.locator("#veld-justification").fill("");
  await page.locator("#veld-justification").focus();
  await page.keyboard.type("Buren melden geschreeuw en een huilend kind; niemand doet open.");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/dossiers/${id}?gedaan=noodtoegang`);
  const banner = await page.locator(".break-glass-banner").textContent();
  assert(banner.includes("Open tot") && banner.includes("nog"), `the banner: ${banner}`);
  await t.axe("Huishouden, met noodtoegang");
  await t.screenshot("huishouden-noodtoegang");
  const open = await t.api(colleague, "GET", `/api/v1/break-glass/mine?caseId=${id}`);
  assert(open.body.length === 1 && open.body[0].reason === "acute_danger_child", "the API has the open window");
}
