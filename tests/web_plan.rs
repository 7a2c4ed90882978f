//! The Plan and Evaluatie screens of the web client, in-process: what a regisseur sees and does, a stale edit that
//! keeps the user's text and shows the other version, validation errors all at once, CSRF, and every role × page ×
//! in/out of scope → the API's status with its audit event.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::pages::{WebSession, SESSION_COOKIE};
use common::world::{Actor, ACTORS};
use common::{TestApp, TestUser};
use eenplan::access::Role;

// ---------------------------------------------------------------------------------------------------------------
// Web sign-in and requests

struct Page {
    status: StatusCode,
    location: Option<String>,
    text: String,
}

async fn sign_in(app: &TestApp, user: &TestUser) -> WebSession {
    app.web_sign_in(user).await
}

async fn request(
    app: &TestApp,
    b: &WebSession,
    method: Method,
    path: &str,
    form: Option<Vec<(String, String)>>,
) -> Page {
    let fields: Option<Vec<(&str, &str)>> =
        form.as_ref().map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect());
    let res = app.web_call(method, path, &[(SESSION_COOKIE, &b.cookie)], fields.as_deref()).await;
    Page { status: res.status, location: res.header("location").map(str::to_string), text: res.text }
}

async fn get(app: &TestApp, b: &WebSession, path: &str) -> Page {
    request(app, b, Method::GET, path, None).await
}

/// POSTs a form with the session's CSRF token.
async fn post(app: &TestApp, b: &WebSession, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut f: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    f.push(("csrf".into(), b.csrf.clone()));
    request(app, b, Method::POST, path, Some(f)).await
}

/// The value of the input named `name` in a page (inputs written as `name="…" value="…"`).
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The form's fields as the page rendered them: hidden and text inputs, selected options, textareas.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let form = &html[html.find("<form method=\"post\" action=\"/dossiers").expect("a case form")..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    for chunk in form.split('<').skip(1) {
        let tag = chunk.split('>').next().unwrap_or_default();
        let attr = |a: &str| {
            let at = tag.find(&format!(" {a}=\""))?;
            let rest = &tag[at + a.len() + 3..];
            Some(rest[..rest.find('"')?].to_string())
        };
        if let Some(t) = tag.strip_prefix("input") {
            let _ = t;
            if matches!(attr("type").as_deref(), Some("radio") | Some("checkbox")) && !tag.contains(" checked") {
                continue;
            }
            if let (Some(n), v) = (attr("name"), attr("value")) {
                if n != "csrf" {
                    out.push((n, unescape(&v.unwrap_or_default())));
                }
            }
        } else if tag.starts_with("textarea") {
            if let Some(n) = attr("name") {
                let body = chunk.split_once('>').map(|(_, b)| b).unwrap_or_default();
                out.push((n, unescape(body)));
            }
        } else if tag.starts_with("select") {
            if let Some(n) = attr("name") {
                let at = form.find(&format!("name=\"{n}\"")).unwrap();
                let select = &form[at..];
                let select = &select[..select.find("</select>").unwrap()];
                let chosen = select
                    .split("<option")
                    .find(|o| o.contains(" selected>"))
                    .and_then(|o| o.split("value=\"").nth(1))
                    .map(|v| v[..v.find('"').unwrap()].to_string())
                    .unwrap_or_default();
                out.push((n, unescape(&chosen)));
            }
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
}

async fn post_fields(app: &TestApp, b: &WebSession, path: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(app, b, path, &refs).await
}

// ---------------------------------------------------------------------------------------------------------------
// A case with a plan

struct Case {
    id: String,
    regisseur: TestUser,
    member: TestUser,
    provider: TestUser,
    parent: String,
    child: String,
}

async fn case_with_people(app: &TestApp) -> Case {
    let member = app.user(Role::Wijkteam);
    let mt = app.token(&member).await;
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2715AA", "houseNumber": 4, "wijk": "Seghwaert", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap().to_string();
    let members = format!("/api/v1/households/{household}/members");
    let parent = app.post(&members, &mt, json!({"person": {"name": "Ouder Jansen", "birthDate": "1985-01-01"}, "relation": "parent", "custody": true, "from": "2015-01-01"})).await;
    let child = app
        .post(&members, &mt, json!({"person": {"name": "Kind Jansen", "birthDate": "2012-05-05"}, "relation": "child", "from": "2012-05-05"}))
        .await;
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let id = case.body["id"].as_str().unwrap().to_string();
    let lead = app.user(Role::Teamleider);
    let lt = app.token(&lead).await;
    let regisseur = app.user(Role::Wijkteam);
    let rt = app.token(&regisseur).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/cases/{id}/regisseur"),
        Some(&lt),
        Some(json!({"userId": regisseur.id})),
        &[],
    )
    .await;
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/regisseur/accept"), &rt, json!({})).await.status, StatusCode::OK);
    let provider = app.user(Role::Provider);
    let inv = app
        .post(
            &format!("/api/v1/cases/{id}/involvements"),
            &rt,
            json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    Case {
        id,
        regisseur,
        member,
        provider,
        parent: parent.body["person"]["id"].as_str().unwrap().to_string(),
        child: child.body["person"]["id"].as_str().unwrap().to_string(),
    }
}

fn content(case: &Case) -> Value {
    json!({
        "strengths": ["Moeder vraagt zelf om hulp"],
        "concerns": [{"description": "Huurachterstand", "priority": "high"}],
        "ownEfforts": ["Oma haalt Kind van school"],
        "goals": [
            {"id": "g-geld", "domain": "financien", "personId": case.parent, "description": "Weer grip op geld",
             "target": "Drie maanden op rij de huur op tijd betaald", "dueDate": "2027-06-01", "status": "open"},
            {"id": "g-school", "domain": "werk_opleiding", "personId": case.child, "description": "Elke dag naar school",
             "target": "Geen verzuim", "dueDate": "2027-03-01", "status": "open"}
        ],
        "actions": [
            {"id": "a-budget", "goalId": "g-geld", "description": "Budgetplan maken",
             "owner": {"kind": "professional", "userId": case.regisseur.id}, "dueDate": "2027-01-15"},
            {"id": "a-jeugd", "goalId": "g-school", "description": "Gesprekken met Kind over school",
             "owner": {"kind": "professional", "userId": case.provider.id}, "dueDate": "2027-02-01"},
            {"id": "a-oma", "goalId": "g-school", "description": "Wekker zetten en ontbijt",
             "owner": {"kind": "network", "name": "Oma"}, "dueDate": "2027-02-01"}
        ],
        "nextEvaluationDate": "2027-03-15"
    })
}

async fn put_draft(app: &TestApp, token: &str, case: &str, number: i64, etag: &str, body: Value) -> common::Response {
    app.call(
        Method::PUT,
        &format!("/api/v1/cases/{case}/plans/{number}"),
        Some(token),
        Some(body),
        &[("If-Match", etag)],
    )
    .await
}

/// Version 1 agreed (with the provider's consent for the plan), version 2 a draft started from it.
async fn agreed_and_draft(app: &TestApp, case: &Case) {
    let rt = app.token(&case.regisseur).await;
    let plans = format!("/api/v1/cases/{}/plans", case.id);
    assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
    assert_eq!(
        put_draft(app, &rt, &case.id, 1, "\"1\"", json!({"content": content(case)})).await.status,
        StatusCode::OK
    );
    let agreed = app
        .call(
            Method::POST,
            &format!("{plans}/1/agree"),
            Some(&rt),
            Some(json!({"agreement": {"memberIds": [case.parent], "method": "paper"}})),
            &[("If-Match", "\"2\"")],
        )
        .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
    let today = chrono::Utc::now().date_naive();
    let consent = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": case.id, "personId": case.child, "kind": "consent",
                   "givenBy": [{"personId": case.child, "capacity": "self"}, {"personId": case.parent, "capacity": "custodian"}],
                   "recipientOrganisationIds": [app.provider_org_id], "categories": ["plan"],
                   "purpose": "Afstemmen", "validFrom": today.to_string(),
                   "validUntil": (today + chrono::Duration::days(30)).to_string()}),
        )
        .await;
    assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.text);
}

fn last_event(app: &TestApp, user: &TestUser) -> eenplan::audit::model::EventData {
    app.audit_events()
        .into_iter()
        .rev()
        .find(|e| e.data.user_id.as_deref() == Some(user.id.as_str()))
        .expect("an audit event")
        .data
}

async fn draft_json(app: &TestApp, case: &Case, number: i64) -> Value {
    let rt = app.token(&case.regisseur).await;
    app.get(&format!("/api/v1/cases/{}/plans/{number}", case.id), &rt).await.body
}

// ---------------------------------------------------------------------------------------------------------------
// Plan

#[actix_web::test]
async fn the_plan_page_shows_the_current_plan_and_the_draft_with_goals_per_domain_and_who_does_what() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let b = sign_in(&app, &case.regisseur).await;
    let page = get(&app, &b, &format!("/dossiers/{}/plan", case.id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for text in [
        "<h1>Plan</h1>",
        "Huidig plan",
        "Concept",
        "Financiën",
        "Werk en opleiding",
        "Weer grip op geld",
        "Voor: Ouder Jansen",
        "Budgetplan maken",
        "Oma (netwerk)",
        "Wekker zetten en ontbijt",
        "15 januari 2027",
        "Het gezin stemt in met dit plan",
        "Concept bewerken",
        "/plan/current/afdrukken",
        "aria-current=\"page\">Plan",
    ] {
        assert!(page.text.contains(text), "{text} missing");
    }
    let event = last_event(&app, &case.regisseur);
    assert_eq!(event.outcome, "allowed");
    assert!(event.action.starts_with("plan."), "{}", event.action);
    assert!(event.basis.is_some(), "audited with its basis");
    assert_eq!(event.resource_id.as_deref(), Some(case.id.as_str()));
    assert!(event.person_ids.contains(&case.parent));

    // The provider sees the API's projection: their own action and the goal it serves, nothing of the rest.
    let pb = sign_in(&app, &case.provider).await;
    let seen = get(&app, &pb, &format!("/dossiers/{}/plan", case.id)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert!(seen.text.contains("Gesprekken met Kind over school"));
    for hidden in ["Budgetplan maken", "Weer grip op geld", "Huurachterstand", "Moeder vraagt zelf", "Concept bewerken"]
    {
        assert!(!seen.text.contains(hidden), "{hidden} shown to the provider");
    }
    assert!(seen.text.contains("U ziet alleen de acties die u zelf uitvoert"));
}

fn edit_path(case: &Case, n: i64) -> String {
    format!("/dossiers/{}/plan/{n}/bewerken", case.id)
}

#[actix_web::test]
async fn a_stale_edit_says_so_shows_their_version_and_keeps_the_users_text() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let b = sign_in(&app, &case.regisseur).await;
    let form_page = get(&app, &b, &edit_path(&case, 2)).await;
    assert_eq!(form_page.status, StatusCode::OK, "{}", form_page.text);
    let mut fields = form_fields(&form_page.text);
    assert_eq!(input_value(&form_page.text, "revision").as_deref(), Some("1"));
    assert!(fields.iter().any(|(k, v)| k == "goals[0].description" && v == "Weer grip op geld"), "{fields:?}");

    // Someone else saves in between (through the API).
    let mut theirs = content(&case);
    theirs["goals"][0]["description"] = json!("Hun versie van het doel");
    let rt = app.token(&case.regisseur).await;
    assert_eq!(put_draft(&app, &rt, &case.id, 2, "\"1\"", json!({"content": theirs})).await.status, StatusCode::OK);

    // The user saves what they typed, based on the version they saw.
    set(&mut fields, "goals[0].description", "Mijn eigen tekst, met <haakjes> & regels");
    set(&mut fields, "knop", "opslaan");
    let stale = post_fields(&app, &b, &edit_path(&case, 2), &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert!(stale.text.contains("Iemand anders heeft dit concept intussen opgeslagen"));
    assert!(stale.text.contains("er is niets overschreven"));
    assert!(
        stale.text.contains("Mijn eigen tekst, met &#60;haakjes&#62; &#38; regels"),
        "the user's text is kept, escaped"
    );
    assert!(stale.text.contains("Zoals het nu is opgeslagen"));
    assert!(stale.text.contains("Hun versie van het doel"), "their version is shown next to it");
    assert_eq!(draft_json(&app, &case, 2).await["content"]["goals"][0]["description"], "Hun versie van het doel");
    assert_eq!(input_value(&stale.text, "revision").as_deref(), Some("2"), "the form now knows their version");

    // Saving again, knowing what it replaces, saves the user's text.
    let mut again = form_fields(&stale.text);
    set(&mut again, "knop", "opslaan");
    let saved = post_fields(&app, &b, &edit_path(&case, 2), &again).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    assert_eq!(saved.location.as_deref(), Some(format!("/dossiers/{}/plan?melding=opgeslagen", case.id).as_str()));
    let now = draft_json(&app, &case, 2).await;
    assert_eq!(now["content"]["goals"][0]["description"], "Mijn eigen tekst, met <haakjes> & regels");
    assert_eq!(now["content"]["actions"].as_array().unwrap().len(), 3, "the rest is as it was");
    assert_eq!(now["content"]["actions"][2]["owner"]["name"], "Oma");
}

#[actix_web::test]
async fn the_draft_form_adds_rows_and_refuses_with_every_error_at_once() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let b = sign_in(&app, &case.regisseur).await;
    let form_page = get(&app, &b, &edit_path(&case, 2)).await;
    let mut fields = form_fields(&form_page.text);
    // "Rij toevoegen" re-renders with one more (empty) goal, keeps what was typed and saves nothing.
    set(&mut fields, "strengths", "Getypt maar niet bewaard");
    set(&mut fields, "knop", "rij-doel");
    let more = post_fields(&app, &b, &edit_path(&case, 2), &fields).await;
    assert_eq!(more.status, StatusCode::OK, "{}", more.text);
    assert!(more.text.contains("<legend>Doel 3</legend>"));
    assert!(more.text.contains("Getypt maar niet bewaard"));
    assert_eq!(draft_json(&app, &case, 2).await["revision"], 1, "nothing saved");

    // A new goal and action, with mistakes: every error at once, at its field; nothing saved.
    let mut fields = form_fields(&more.text);
    set(&mut fields, "goals[2].description", "Nieuw doel");
    set(&mut fields, "goals[2].dueDate", "31-02-2027");
    set(&mut fields, "goals[2].personId", "iemand-anders");
    set(&mut fields, "actions[0].owner", "professional:onbekend");
    set(&mut fields, "nextEvaluationDate", "volgende week");
    set(&mut fields, "knop", "opslaan");
    let refused = post_fields(&app, &b, &edit_path(&case, 2), &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    for id in ["veld-goals-2-dueDate", "veld-nextEvaluationDate", "veld-goals-2-personId", "veld-actions-0-owner"] {
        assert!(refused.text.contains(&format!("href=\"#{id}\"")), "{id} not in the summary");
        assert!(refused.text.contains(&format!("id=\"{id}\"")), "{id} not on the form");
    }
    assert!(refused.text.contains("Er zijn 4 fouten in het formulier"), "{}", refused.text);
    assert!(refused.text.contains("Nieuw doel"), "input kept");
    assert_eq!(draft_json(&app, &case, 2).await["revision"], 1, "nothing saved");

    // Without a CSRF token, or with a wrong one: 403, nothing changed.
    let mut no_csrf: Vec<(String, String)> = form_fields(&form_page.text);
    set(&mut no_csrf, "knop", "opslaan");
    let res = request(&app, &b, Method::POST, &edit_path(&case, 2), Some(no_csrf.clone())).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    no_csrf.push(("csrf".into(), "niet-het-token".into()));
    let res = request(&app, &b, Method::POST, &edit_path(&case, 2), Some(no_csrf)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = request(
        &app,
        &b,
        Method::POST,
        &format!("/dossiers/{}/plan/{}/instemming", case.id, 2),
        Some(vec![("answer".into(), "agree".into())]),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(draft_json(&app, &case, 2).await["status"], "draft", "nothing changed");
    assert_eq!(draft_json(&app, &case, 2).await["revision"], 1, "nothing changed");
}

#[actix_web::test]
async fn starting_a_draft_and_recording_the_familys_answer_in_its_own_words() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    let b = sign_in(&app, &case.regisseur).await;
    let empty = get(&app, &b, &format!("/dossiers/{}/plan", case.id)).await;
    assert!(empty.text.contains("Er is nog geen plan"));
    let started = post(&app, &b, &format!("/dossiers/{}/plan/concept", case.id), &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text);
    assert_eq!(
        started.location.as_deref(),
        Some(format!("/dossiers/{}/plan/1/bewerken?melding=gestart", case.id).as_str())
    );
    let form_page = get(&app, &b, started.location.as_deref().unwrap()).await;
    assert!(form_page.text.contains("Er is een nieuw concept gestart"));
    let mut fields = form_fields(&form_page.text);
    set(&mut fields, "goals[0].description", "Grip op geld");
    set(&mut fields, "goals[0].domain", "financien");
    set(&mut fields, "goals[0].personId", &case.parent);
    set(&mut fields, "goals[0].target", "Huur op tijd");
    set(&mut fields, "goals[0].dueDate", "2027-06-01");
    let goal_id = fields.iter().find(|(k, _)| k == "goals[0].id").unwrap().1.clone();
    set(&mut fields, "actions[0].goalId", &goal_id);
    set(&mut fields, "actions[0].description", "Budgetplan maken");
    set(&mut fields, "actions[0].owner", &format!("member:{}", case.parent));
    set(&mut fields, "knop", "opslaan");
    let saved = post_fields(&app, &b, &edit_path(&case, 1), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);

    // Agreeing: what the answer lacks and what the draft lacks, all at once; nothing recorded.
    let path = format!("/dossiers/{}/plan/1/instemming", case.id);
    let form = get(&app, &b, &path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let revision = input_value(&form.text, "revision").unwrap();
    let refused = post(&app, &b, &path, &[("revision", &revision), ("answer", "refuse")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    for text in
        ["href=\"#veld-agreement-memberIds\"", "href=\"#veld-agreement-method\"", "href=\"#veld-agreement-statement\""]
    {
        assert!(refused.text.contains(text), "{text} missing");
    }
    assert!(refused.text.contains("Het concept is nog niet compleet"));
    assert!(refused.text.contains("bewerken#veld-actions-0-dueDate"), "the draft's gaps link to the edit form");
    assert!(refused.text.contains("bewerken#veld-nextEvaluationDate"));
    assert_eq!(draft_json(&app, &case, 1).await["status"], "draft");

    // Complete the draft, then the family refuses in its own words: recorded exactly.
    let form_page = get(&app, &b, &edit_path(&case, 1)).await;
    let mut fields = form_fields(&form_page.text);
    set(&mut fields, "actions[0].dueDate", "2027-01-15");
    set(&mut fields, "nextEvaluationDate", "2027-03-01");
    set(&mut fields, "knop", "opslaan");
    assert_eq!(post_fields(&app, &b, &edit_path(&case, 1), &fields).await.status, StatusCode::SEE_OTHER);
    let form = get(&app, &b, &path).await;
    let revision = input_value(&form.text, "revision").unwrap();
    let words = "We willen eerst met school praten.\nDaarna kijken we verder.";
    let done = post(
        &app,
        &b,
        &path,
        &[
            ("revision", &revision),
            ("answer", "refuse"),
            ("memberIds", &case.parent),
            ("method", "conversation"),
            ("statement", words),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let v = draft_json(&app, &case, 1).await;
    assert_eq!(v["status"], "agreed");
    assert_eq!(v["agreement"]["refused"], true);
    assert_eq!(v["agreement"]["statement"], words, "the family's words exactly");
    let page = get(&app, &b, &format!("/dossiers/{}/plan?melding=ingestemd", case.id)).await;
    assert!(page.text.contains("Het gezin is het niet eens met dit plan"));
    assert!(page.text.contains("We willen eerst met school praten."));
}

#[actix_web::test]
async fn the_differences_and_the_familys_printable_copy() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let rt = app.token(&case.regisseur).await;
    let mut changed = content(&case);
    changed["goals"][0]["description"] = json!("Schulden op een rij");
    changed["actions"].as_array_mut().unwrap().remove(2);
    assert_eq!(put_draft(&app, &rt, &case.id, 2, "\"1\"", json!({"content": changed})).await.status, StatusCode::OK);
    let b = sign_in(&app, &case.regisseur).await;
    let diff = get(&app, &b, &format!("/dossiers/{}/plan/verschil?van=1&naar=2", case.id)).await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    assert!(diff.text.contains("Veranderd: </span>~ Schulden op een rij"), "{}", diff.text);
    assert!(diff.text.contains("Weggehaald: </span>− Wekker zetten en ontbijt"));
    let event = last_event(&app, &case.regisseur);
    assert!(event.basis.is_some() && event.outcome == "allowed");

    let print = get(&app, &b, &format!("/dossiers/{}/plan/current/afdrukken", case.id)).await;
    assert_eq!(print.status, StatusCode::OK, "{}", print.text);
    for text in
        ["<h1>Ons gezinsplan</h1>", "Weer grip op geld", "Wie helpen ons", "/assets/eenplan.css", "Ouder Jansen"]
    {
        assert!(print.text.contains(text), "{text} missing");
    }
    assert!(!print.text.contains("<style>"), "no inline style under the page's policy");
    assert_eq!(print.text.matches("<h1").count(), 1);
    let event = last_event(&app, &case.regisseur);
    assert_eq!((event.action.as_str(), event.outcome.as_str()), ("plan.export", "allowed"));
    assert_eq!(event.case_id.as_deref().or(event.resource_id.as_deref()), Some(case.id.as_str()));
}

// ---------------------------------------------------------------------------------------------------------------
// Scope: every role × every page × in and out of scope

#[actix_web::test]
async fn every_role_in_and_out_of_scope_against_every_page() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let id = &case.id;
    // Statuses for Regisseur, Member, Colleague, Lead, OtherLead, ProviderInvolved, ProviderOutside: as the API
    // answers the reads each page makes (tests/scope_matrix.rs); other roles get 403.
    let pages: Vec<(String, [u16; 7])> = vec![
        (format!("/dossiers/{id}/plan"), [200, 200, 404, 403, 404, 200, 404]),
        (format!("/dossiers/{id}/plan/2/bewerken"), [200, 200, 404, 403, 404, 404, 404]),
        (format!("/dossiers/{id}/plan/2/instemming"), [200, 200, 404, 403, 404, 404, 404]),
        (format!("/dossiers/{id}/plan/verschil?van=1&naar=2"), [200, 200, 404, 403, 404, 403, 404]),
        (format!("/dossiers/{id}/plan/current/afdrukken"), [200, 200, 404, 403, 404, 403, 404]),
        (format!("/dossiers/{id}/evaluaties"), [200, 200, 404, 403, 404, 404, 404]),
        (format!("/dossiers/{id}/evaluaties/nieuw"), [200, 200, 404, 403, 404, 404, 404]),
    ];
    let colleague = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let provider_out = app.user(Role::Provider);
    let mut failures = Vec::new();
    let mut cells = 0;
    for actor in ACTORS {
        let user = match actor {
            Actor::Regisseur => case.regisseur.clone(),
            Actor::Member => case.member.clone(),
            Actor::Colleague => colleague.clone(),
            Actor::Lead => lead.clone(),
            Actor::OtherLead => other_lead.clone(),
            Actor::ProviderInvolved => case.provider.clone(),
            Actor::ProviderOutside => provider_out.clone(),
            Actor::Other(role) => app.user(role),
        };
        let b = sign_in(&app, &user).await;
        for (path, row) in &pages {
            let expected = match actor {
                // May read plans (of cases they adopted): this one they did not, so as anyone not involved.
                Actor::Other(Role::Procescoordinator) => 404,
                Actor::Other(_) => 403,
                _ => row[ACTORS.iter().position(|a| *a == actor).unwrap()],
            };
            let before = app.audit_events().len();
            let page = get(&app, &b, path).await;
            cells += 1;
            if page.status.as_u16() != expected {
                failures.push(format!("{path} as {actor:?}: expected {expected}, got {}", page.status));
                continue;
            }
            assert!(page.text.contains("lang=\"nl\""), "{path} as {actor:?}: a Dutch page");
            let events: Vec<_> = app.audit_events().into_iter().skip(before).collect();
            let event = events
                .iter()
                .rev()
                .find(|e| e.data.user_id.as_deref() == Some(user.id.as_str()))
                .unwrap_or_else(|| panic!("{path} as {actor:?}: no audit event"));
            let denied = expected == 403 || expected == 404;
            assert_eq!(event.data.outcome == "denied", denied, "{path} as {actor:?}: {:?}", event.data);
            if expected == 200 {
                assert!(event.data.basis.is_some(), "{path} as {actor:?}: allowed without a basis");
                let about_case =
                    event.data.case_id.as_deref() == Some(id) || event.data.resource_id.as_deref() == Some(id);
                assert!(about_case, "{path} as {actor:?}: the event names the case");
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cells} cells differ:\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluatie

async fn evaluations_json(app: &TestApp, case: &Case) -> Value {
    let rt = app.token(&case.regisseur).await;
    app.get(&format!("/api/v1/cases/{}/evaluations", case.id), &rt).await.body
}

#[actix_web::test]
async fn an_evaluation_is_shown_as_a_summary_to_confirm_before_it_is_recorded() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let b = sign_in(&app, &case.regisseur).await;
    let list = get(&app, &b, &format!("/dossiers/{}/evaluaties", case.id)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(list.text.contains("Er is nog geen evaluatie vastgelegd"));
    assert!(list.text.contains("15 maart 2027"), "the next evaluation from the plan");
    let new = format!("/dossiers/{}/evaluaties/nieuw", case.id);
    let form = get(&app, &b, &new).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("Weer grip op geld") && form.text.contains("Elke dag naar school"));
    let check = format!("/dossiers/{}/evaluaties/controleren", case.id);

    // Every error at once, nothing recorded.
    let mut fields = form_fields(&form.text);
    set(&mut fields, "nextEvaluationDate", "volgende week");
    let refused = post_fields(&app, &b, &check, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    for id in ["veld-participants", "veld-decision", "veld-nextEvaluationDate"] {
        assert!(refused.text.contains(&format!("href=\"#{id}\"")), "{id} not in the summary");
        assert!(refused.text.contains(&format!("id=\"{id}\"")), "{id} not on the form");
    }
    assert_eq!(evaluations_json(&app, &case).await["items"], json!([]));

    // Filled in: the summary shows it all, still nothing recorded.
    let mut fields = form_fields(&form.text);
    fields.push(("participants".into(), format!("member:{}", case.parent)));
    fields.push(("participants".into(), format!("professional:{}", case.regisseur.id)));
    set(&mut fields, "network", "Oma");
    set(&mut fields, "goalProgress[0].status", "partly_achieved");
    set(&mut fields, "goalProgress[0].note", "Huur twee maanden op tijd betaald");
    set(&mut fields, "decision", "continue");
    set(&mut fields, "nextEvaluationDate", "2027-02-01");
    let summary = post_fields(&app, &b, &check, &fields).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    for text in [
        "Evaluatie controleren",
        "Doorgaan met het plan",
        "Ouder Jansen",
        "Oma (netwerk)",
        "Deels bereikt",
        "1 februari 2027",
        "Vastleggen",
    ] {
        assert!(summary.text.contains(text), "{text} missing");
    }
    assert_eq!(evaluations_json(&app, &case).await["items"], json!([]), "a summary records nothing");

    // Back to the form: everything as it was filled in.
    let hidden = form_fields(&summary.text);
    let back = post_fields(&app, &b, &new, &hidden).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(back.text.contains("Huur twee maanden op tijd betaald"));
    assert!(back.text.contains("value=\"continue\" checked"));

    // Without the CSRF token nothing is recorded.
    let res = request(&app, &b, Method::POST, &format!("/dossiers/{}/evaluaties", case.id), Some(hidden.clone())).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(evaluations_json(&app, &case).await["items"], json!([]));

    // "Vastleggen": recorded as summarised.
    let done = post_fields(&app, &b, &format!("/dossiers/{}/evaluaties", case.id), &hidden).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let items = evaluations_json(&app, &case).await["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["decision"], "continue");
    assert_eq!(items[0]["participants"].as_array().unwrap().len(), 3);
    assert_eq!(items[0]["goalProgress"][0]["note"], "Huur twee maanden op tijd betaald");
    let list = get(&app, &b, done.location.as_deref().unwrap()).await;
    assert!(list.text.contains("De evaluatie is vastgelegd"));
    assert!(list.text.contains("Huur twee maanden op tijd betaald") && list.text.contains("Deels bereikt"));
    let event = last_event(&app, &case.regisseur);
    assert!(event.action.starts_with("evaluation") || event.action.starts_with("plan"), "{}", event.action);
    assert!(event.basis.is_some());

    // Adjusting while a draft is open: explained, the input kept, nothing recorded.
    let mut adjust = hidden.clone();
    set(&mut adjust, "decision", "adjust");
    let conflict = post_fields(&app, &b, &format!("/dossiers/{}/evaluaties", case.id), &adjust).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.text);
    assert!(conflict.text.contains("Er is al een concept van het plan"));
    assert!(conflict.text.contains("Huur twee maanden op tijd betaald"));
    assert_eq!(evaluations_json(&app, &case).await["items"].as_array().unwrap().len(), 1);

    // Only the regisseur records: a member's attempt is refused as the API refuses it.
    let mb = sign_in(&app, &case.member).await;
    let by_member = post_fields(&app, &mb, &format!("/dossiers/{}/evaluaties", case.id), &hidden).await;
    assert_eq!(by_member.status, StatusCode::FORBIDDEN);
    assert_eq!(evaluations_json(&app, &case).await["items"].as_array().unwrap().len(), 1);
}

/// The page's audit event against the API's read of the evaluations by the same user: the same act and basis.
async fn audited_as_the_evaluations_read(app: &TestApp, case: &Case, page: &Page) {
    let event = last_event(app, &case.regisseur);
    evaluations_json(app, case).await;
    let api = last_event(app, &case.regisseur);
    assert_eq!(api.case_id.as_deref().or(api.resource_id.as_deref()), Some(case.id.as_str()));
    assert_eq!(
        (event.action.as_str(), event.resource_type.as_str(), event.resource_id.as_deref(), event.basis),
        (api.action.as_str(), api.resource_type.as_str(), api.resource_id.as_deref(), api.basis),
        "{}",
        page.status
    );
}

#[actix_web::test]
async fn an_evaluation_records_what_each_participant_will_do_after_a_summary() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let b = sign_in(&app, &case.regisseur).await;
    let new = format!("/dossiers/{}/evaluaties/nieuw", case.id);
    let check = format!("/dossiers/{}/evaluaties/controleren", case.id);
    // Each page is audited as the evaluations read, not as the read of the names it shows with them.
    let empty = get(&app, &b, &format!("/dossiers/{}/evaluaties", case.id)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    audited_as_the_evaluations_read(&app, &case, &empty).await;
    let form = get(&app, &b, &new).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    audited_as_the_evaluations_read(&app, &case, &form).await;
    let parent_box = format!("wat:member:{}", case.parent);
    let child_box = format!("wat:member:{}", case.child);
    let my_box = format!("wat:professional:{}", case.regisseur.id);
    assert!(form.text.contains("Wat gaat deze persoon doen?"));
    for name in [&parent_box, &child_box, &my_box] {
        assert!(form.text.contains(&format!("name=\"{name}\"")), "{name}: a box per participant");
    }

    // A box for someone who did not take part, and one too long: both errors at once, each at its box.
    let mut fields = form_fields(&form.text);
    fields.push(("participants".into(), format!("member:{}", case.parent)));
    fields.push(("participants".into(), format!("professional:{}", case.regisseur.id)));
    set(&mut fields, "network", "Oma");
    set(&mut fields, &parent_box, "Belt de woningcorporatie\r\nen vraagt om uitstel");
    set(&mut fields, &child_box, "Gaat elke dag naar school");
    set(&mut fields, &my_box, &"x".repeat(501));
    set(&mut fields, "decision", "continue");
    set(&mut fields, "nextEvaluationDate", "2027-02-01");
    let refused = post_fields(&app, &b, &check, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    for (id, message) in [
        (format!("veld-wat-member-{}", case.child), "Zet een vinkje bij deze persoon"),
        (format!("veld-wat-professional-{}", case.regisseur.id), "Gebruik hoogstens 500 tekens."),
    ] {
        assert!(refused.text.contains(&format!("href=\"#{id}\"")), "{id} not in the summary");
        assert!(refused.text.contains(&format!("id=\"{id}\"")), "{id} not on the form");
        assert!(refused.text.contains(message), "{message}");
    }
    assert!(refused.text.contains("Belt de woningcorporatie"), "the input is kept");
    assert_eq!(evaluations_json(&app, &case).await["items"], json!([]));

    // Corrected: the summary says per participant what they will do, still nothing recorded.
    set(&mut fields, &child_box, "");
    set(&mut fields, &my_box, "Regelt een afspraak bij de schuldhulp");
    let summary = post_fields(&app, &b, &check, &fields).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    for text in [
        "Wat ieder gaat doen",
        "Belt de woningcorporatie",
        "Regelt een afspraak bij de schuldhulp",
        "Niets afgesproken.",
    ] {
        assert!(summary.text.contains(text), "{text} missing");
    }
    assert!(!summary.text.contains("Gaat elke dag naar school"), "an empty box agrees nothing");
    assert_eq!(evaluations_json(&app, &case).await["items"], json!([]), "a summary records nothing");

    // Back to the form: the network's people get a box too.
    let back = post_fields(&app, &b, &new, &form_fields(&summary.text)).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(back.text.contains("name=\"wat:network:0\"") && back.text.contains("Oma (netwerk)"));
    let mut fields = form_fields(&back.text);
    set(&mut fields, "wat:network:0", "Haalt Kind op woensdag van school");
    let summary = post_fields(&app, &b, &check, &fields).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert!(summary.text.contains("Haalt Kind op woensdag van school") && !summary.text.contains("Niets afgesproken."));

    // "Vastleggen": recorded as summarised, in the form's order, and the record is the request's act.
    let done = post_fields(&app, &b, &format!("/dossiers/{}/evaluaties", case.id), &form_fields(&summary.text)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let recorded = last_event(&app, &case.regisseur);
    assert_eq!((recorded.action.as_str(), recorded.outcome.as_str()), ("plan.update", "allowed"));
    let items = evaluations_json(&app, &case).await["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(
        items[0]["agreements"],
        json!([
            {"who": {"kind": "member", "personId": case.parent, "userId": null, "organisationId": null, "name": null},
             "what": "Belt de woningcorporatie\nen vraagt om uitstel"},
            {"who": {"kind": "professional", "userId": case.regisseur.id, "personId": null, "organisationId": null,
                     "name": null}, "what": "Regelt een afspraak bij de schuldhulp"},
            {"who": {"kind": "network", "name": "Oma", "userId": null, "personId": null, "organisationId": null},
             "what": "Haalt Kind op woensdag van school"}
        ])
    );

    // The list shows each evaluation's agreements; its audit event is the evaluations read.
    let list = get(&app, &b, done.location.as_deref().unwrap()).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    for text in
        ["Wat ieder gaat doen", "en vraagt om uitstel", "Regelt een afspraak bij de schuldhulp", "Haalt Kind op"]
    {
        assert!(list.text.contains(text), "{text} missing from the list");
    }
    audited_as_the_evaluations_read(&app, &case, &list).await;
}

/// 18-/18+ on the screens: a young member turns 18 in two months, so agreeing the draft names the missing section
/// in Dutch and links to it; the edit form adds a row "na het 18e jaar" without JavaScript, saves it as the API
/// stores it, and the plan shows it; then the family's answer is recorded.
#[actix_web::test]
async fn the_section_on_care_after_eighteen_is_asked_for_filled_in_and_shown() {
    let app = TestApp::new().await;
    let case = case_with_people(&app).await;
    agreed_and_draft(&app, &case).await;
    let mt = app.token(&case.member).await;
    let rt = app.token(&case.regisseur).await;
    let household =
        app.get(&format!("/api/v1/cases/{}", case.id), &rt).await.body["householdId"].as_str().unwrap().to_string();
    let today = eenplan::calendar::local(chrono::Utc::now()).date();
    let birthday = today.checked_add_months(chrono::Months::new(2)).unwrap();
    let birth = eenplan::cases::model::born_eighteen_years_before(birthday);
    let young = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &mt,
            json!({"person": {"name": "Sam Jansen", "birthDate": birth.to_string()}, "relation": "child",
                   "from": "2015-01-01"}),
        )
        .await;
    assert_eq!(young.status, StatusCode::CREATED, "{}", young.text);
    let young = young.body["person"]["id"].as_str().unwrap().to_string();

    let b = sign_in(&app, &case.regisseur).await;
    let path = format!("/dossiers/{}/plan/2/instemming", case.id);
    let form = get(&app, &b, &path).await;
    let revision = input_value(&form.text, "revision").unwrap();
    let answer = |revision: String| {
        vec![
            ("revision".to_string(), revision),
            ("answer".to_string(), "agree".to_string()),
            ("memberIds".to_string(), case.parent.clone()),
            ("method".to_string(), "paper".to_string()),
        ]
    };
    let refused = post_fields(&app, &b, &path, &answer(revision)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert!(refused.text.contains("Een jongere in dit gezin wordt binnenkort 18."), "{}", refused.text);
    assert!(refused.text.contains("bewerken#veld-afterEighteen"), "links to the section");
    assert_eq!(draft_json(&app, &case, 2).await["status"], "draft");

    let form_page = get(&app, &b, &edit_path(&case, 2)).await;
    assert!(form_page.text.contains("id=\"veld-afterEighteen\""));
    let mut fields = form_fields(&form_page.text);
    set(&mut fields, "knop", "rij-na18");
    let with_row = post_fields(&app, &b, &edit_path(&case, 2), &fields).await;
    assert_eq!(with_row.status, StatusCode::OK, "{}", with_row.text);
    assert!(with_row.text.contains("Na het 18e jaar 1"), "one row more");
    let mut fields = form_fields(&with_row.text);
    set(&mut fields, "afterEighteen[0].personId", &young);
    set(&mut fields, "afterEighteen[0].support", "Begeleiding bij wonen en geld");
    set(&mut fields, "afterEighteen[0].law", "Wmo");
    set(&mut fields, "afterEighteen[0].takenOverBy", "Wijkteam, volwassenen");
    set(&mut fields, "afterEighteen[0].from", &birthday.to_string());
    set(&mut fields, "knop", "opslaan");
    let saved = post_fields(&app, &b, &edit_path(&case, 2), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let stored = &draft_json(&app, &case, 2).await["content"]["afterEighteen"];
    assert_eq!(
        stored,
        &json!([{"personId": young, "support": "Begeleiding bij wonen en geld", "law": "Wmo",
                 "takenOverBy": "Wijkteam, volwassenen", "from": birthday.to_string()}])
    );
    let plan = get(&app, &b, &format!("/dossiers/{}/plan", case.id)).await;
    assert!(plan.text.contains("<strong>Sam Jansen</strong>: Begeleiding bij wonen en geld"), "{}", plan.text);

    let form = get(&app, &b, &path).await;
    let revision = input_value(&form.text, "revision").unwrap();
    let agreed = post_fields(&app, &b, &path, &answer(revision)).await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.text);
    assert_eq!(draft_json(&app, &case, 2).await["status"], "agreed");
}
