// Mijn account: a wijkteam user sees their own sign-in history (with the failed attempt they just made) and enrols a
// second factor: the explanation, the QR code with the secret to type, a wrong code refused with the QR code still
// there, and the right code (computed from the secret on the page) confirmed; the API then says the factor is on.
// The user is a fresh one the admin makes through the API in each run, so no demo account gets a factor that other
// scenarios would then need a code for.
const ADMIN = "admin@demo.eenplan.nl";
const PASSWORD = "account-wachtwoord-2026";

async function login(t, body) {
  const res = await fetch(`${t.base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.ok ? (await res.json()).accessToken : null;
}

async function call(t, token, method, pathname, body) {
  const res = await fetch(`${t.base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function run(t) {
  const { page, assert, base, js } = t;
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);

  // A fresh wijkteam member, made by the admin through the API.
  const teams = (await t.api(ADMIN, "GET", "/api/v1/teams?limit=200")).body.items;
  const team = teams.find((x) => x.kind === "wijk" && x.active);
  assert(team, "the demo has a wijk team");
  const email = `account-${js ? "js" : "nojs"}-${Date.now()}@demo.eenplan.nl`;
  const made = await t.api(ADMIN, "POST", "/api/v1/users", {
    email,
    displayName: "Sam de Vries",
    organisationId: team.organisationId,
    roles: [{ role: "wijkteam", teamId: team.id }],
    password: PASSWORD,
  });
  assert(made.status === 201, `the admin made the user (${made.status})`);

  // A wrong password first, then the right one, with the keyboard.
  const signIn = async (pw) => {
    await page.goto(`${base}/aanmelden`);
    await page.locator("#veld-email").focus();
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(pw);
    await enter();
  };
  await signIn("niet-het-goede-wachtwoord");
  assert(new URL(page.url()).pathname === "/aanmelden", "a wrong password is refused");
  await signIn(PASSWORD);
  assert(new URL(page.url()).pathname !== "/aanmelden", "signed in");

  await page.goto(`${base}/account`);
  assert((await t.heading()) === "Mijn account", "Mijn account");
  const history = await page.locator("main table").textContent();
  assert(history.includes("Mislukte poging") && history.includes("Aangemeld"), `the history: ${history}`);
  assert((await page.locator("main").textContent()).includes(team.name), "the role with its team");
  const mine = await login(t, { email, password: PASSWORD });
  const listed = (await call(t, mine, "GET", "/api/v1/auth/me/sign-ins")).body.items.map((e) => e.kind);
  assert(listed.includes("failed") && listed.filter((k) => k === "signed_in").length === 2, `the API's history: ${listed}`);
  await t.axe("Mijn account");
  await t.screenshot("mijn-account");

  // The second factor: what it is, then the QR code and the secret.
  await t.tabTo('a[href="/account/tweede-factor"]');
  await enter();
  assert((await t.heading()) === "Tweede factor instellen", "the enrolment page");
  await t.axe("Tweede factor, uitleg");
  await t.screenshot("tweede-factor");
  await t.tabTo('main form[action="/account/tweede-factor/starten"] button');
  await enter();
  assert((await page.locator("main svg.qr-code").count()) === 1, "the QR code, drawn on the server");
  const secret = (await page.locator("#sleutel").textContent()).replace(/\s+/g, "");
  assert(/^[A-Z2-7]{32}$/.test(secret), `the secret to type: ${secret}`);
  await t.axe("Tweede factor, QR-code");
  await t.screenshot("tweede-factor-qr");

  await page.locator("#veld-code").focus();
  await page.keyboard.type("000000");
  await enter();
  assert((await page.locator(".error-summary a[href='#veld-code']").count()) === 1, "a wrong code is named");
  assert((await page.locator("main svg.qr-code").count()) === 1, "the QR code is still there");
  assert((await call(t, mine, "GET", "/api/v1/auth/me")).body.totpEnrolled === false, "nothing enrolled yet");
  await t.axe("Tweede factor, verkeerde code");
  await t.screenshot("tweede-factor-fout");

  await page.locator("#veld-code").focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type(t.totpAt(secret, Math.floor(Date.now() / 1000 / 30)));
  await enter();
  await page.waitForURL(`${base}/account/tweede-factor?klaar=ingesteld`);
  assert((await call(t, mine, "GET", "/api/v1/auth/me")).body.totpEnrolled === true, "the API: a second factor is on");
  await t.axe("Tweede factor, ingesteld");
  await t.screenshot("tweede-factor-ingesteld");
}
