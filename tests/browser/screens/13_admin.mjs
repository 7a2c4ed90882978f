// Beheer: the demo's functional admin signs in with the TOTP code (computed from EENPLAN_DEMO_ACCOUNTS), creates a
// user with the keyboard (first refused, every error at once), edits it, meets a conflict when the user was changed
// through the API meanwhile (their input kept, nothing overwritten), and deactivates that user: the user's open
// session in a second browser then ends at once. Each run makes its own user (a unique email address), so a second
// run on the same demo works too, and no demo user another scenario relies on is touched.
const ADMIN = "admin@demo.eenplan.nl";
const NEW_PASSWORD = "browser-wachtwoord-2026";

/// The API as the admin (run.mjs signs in once, with a code of a step not used yet).
const adminApi = (t, method, pathname, body, headers = {}) => t.api(ADMIN, method, pathname, body, headers);

export async function run(t) {
  const { page, assert, base, js } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  // Select an option with the keyboard: focus the list and type the start of its text.
  const choose = async (selector, text, value) => {
    await page.locator(selector).focus();
    await page.keyboard.type(text);
    const chosen = await page.locator(selector).inputValue();
    assert(value === undefined || chosen === value, `${selector}: ${text} chosen with the keyboard (${chosen})`);
  };
  const replace = async (selector, text) => {
    await page.locator(selector).focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(text);
  };

  // Sign in with the password and the code (a fresh step's: run.mjs keeps track), to the admin's start page.
  await t.signIn(ADMIN);
  assert(new URL(page.url()).pathname === "/beheer", "the admin starts at Beheer");
  assert((await t.heading()) === "Beheer", "the admin's start page");
  const orgs = (await adminApi(t, "GET", "/api/v1/organisations?limit=200")).body.items;
  const municipality = orgs.find((o) => o.kind === "municipality");
  assert(municipality, "the demo has a municipality");
  const shown = await page.locator("main").textContent();
  assert(shown.includes(municipality.name), "the start page lists the organisations");
  await t.axe("Beheer");
  await t.screenshot("beheer");

  // A new user: first with nothing filled in, then as it should be.
  await t.tabTo('a[href="/beheer/gebruikers/nieuw"]');
  await enter();
  assert((await t.heading()) === "Nieuwe gebruiker", "the new user form");
  await t.axe("Nieuwe gebruiker");
  await t.tabTo('main form button[type="submit"]');
  await enter();
  const errors = await page.locator(".error-summary li").count();
  assert(errors >= 5, `every error at once (${errors})`);
  await t.axe("Nieuwe gebruiker, met fouten");
  await t.screenshot("beheer-gebruiker-fouten");

  const email = `beheer-${js ? "js" : "nojs"}-${Date.now()}@demo.eenplan.nl`;
  await replace("#veld-displayName", "Browser Gebruiker");
  await replace("#veld-email", email);
  await choose("#veld-organisationId", municipality.name, municipality.id);
  await choose("#veld-roles-0-role", "Meldingsbevoegde", "signaller");
  await page.locator("#veld-password").focus();
  await page.keyboard.type(NEW_PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/beheer\/gebruikers\/[0-9a-f-]{36}\?klaar=aangemaakt$/);
  const id = new URL(page.url()).pathname.split("/").pop();
  let user = (await adminApi(t, "GET", `/api/v1/users/${id}`)).body;
  assert(user.email === email && user.roles.length === 1 && user.roles[0].role === "signaller", "the API has the new user");

  // Edit: another name.
  await replace("#veld-displayName", "Browser Gebruiker Bewerkt");
  await t.tabTo('main form button[type="submit"]');
  await enter();
  await page.waitForURL(`${base}/beheer/gebruikers/${id}?klaar=opgeslagen`);
  user = (await adminApi(t, "GET", `/api/v1/users/${id}`)).body;
  assert(user.displayName === "Browser Gebruiker Bewerkt", "the API has the new name");
  await t.axe("Gebruiker, opgeslagen");
  await t.screenshot("beheer-gebruiker");

  // Someone else renames the user meanwhile; saving the form as it is shows the conflict and overwrites nothing.
  const other = await adminApi(t, "PATCH", `/api/v1/users/${id}`, { displayName: "Naam van een collega" }, { "if-match": `"${user.version}"` });
  assert(other.status === 200, `the API change (${other.status})`);
  await replace("#veld-displayName", "Mijn eigen naam");
  await t.tabTo('main form button[type="submit"]');
  await enter();
  assert((await page.locator("#conflict-titel").count()) === 1, "the conflict is shown");
  assert((await page.locator("#veld-displayName").inputValue()) === "Mijn eigen naam", "what the admin typed is kept");
  assert((await page.locator(".error-summary").textContent()).includes("Naam van een collega"), "the current value is shown");
  assert((await adminApi(t, "GET", `/api/v1/users/${id}`)).body.displayName === "Naam van een collega", "nothing overwritten");
  await t.axe("Gebruiker, conflict");
  await t.screenshot("beheer-conflict");

  // The user signs in in another browser; then the admin deactivates them and their session ends at once.
  const theirs = await page.context().browser().newContext({ javaScriptEnabled: js, locale: "nl-NL" });
  const them = await theirs.newPage();
  await them.goto(`${base}/aanmelden`);
  await them.locator("#veld-email").focus();
  await them.keyboard.type(email);
  await them.keyboard.press("Tab");
  await them.keyboard.type(NEW_PASSWORD);
  await Promise.all([them.waitForNavigation(), them.keyboard.press("Enter")]);
  await them.goto(`${base}/account`);
  assert(new URL(them.url()).pathname === "/account", `the user's session works (${them.url()})`);

  await page.goto(`${base}/beheer/gebruikers/${id}`);
  await t.tabTo(`a[href="/beheer/gebruikers/${id}/deactiveren"]`);
  await enter();
  assert((await t.heading()).endsWith("deactiveren?"), "a confirmation first");
  await t.axe("Gebruiker deactiveren");
  await t.screenshot("beheer-deactiveren");
  await t.tabTo('main form button[type="submit"]');
  await enter();
  await page.waitForURL(`${base}/beheer/gebruikers/${id}?klaar=gedeactiveerd`);
  assert((await adminApi(t, "GET", `/api/v1/users/${id}`)).body.active === false, "the API shows the user deactivated");
  await t.axe("Gebruiker, gedeactiveerd");
  await them.goto(`${base}/account`);
  assert(new URL(them.url()).pathname === "/aanmelden", `the user's next page is the sign-in page (${them.url()})`);
  await theirs.close();

  // The other lists and forms of Beheer, as the admin reaches them from the navigation.
  const teams = (await adminApi(t, "GET", "/api/v1/teams?limit=200")).body.items;
  for (const [path, heading, label] of [
    ["/beheer/gebruikers", "Gebruikers", "Gebruikers"],
    ["/beheer/organisaties", "Organisaties", "Organisaties"],
    ["/beheer/organisaties/nieuw", "Nieuwe organisatie", "Nieuwe organisatie"],
    [`/beheer/organisaties/${municipality.id}`, `Organisatie ${municipality.name}`, "Organisatie"],
    ["/beheer/teams", "Teams", "Teams"],
    ["/beheer/teams/nieuw", "Nieuw team", "Nieuw team"],
    [`/beheer/teams/${teams[0].id}`, `Team ${teams[0].name}`, "Team"],
  ]) {
    await page.goto(`${base}${path}`);
    assert((await t.heading()) === heading, `${path}: ${await t.heading()}`);
    await t.axe(label);
  }
  await t.screenshot("beheer-team");
  await page.goto(`${base}/beheer/teams`);
  await t.screenshot("beheer-teams");
}
