//! The web client's procescoördinatie screens: the queue at /procescoordinatie — every role (200 only for the
//! procescoördinator, the view audited as `escalation.list`), its rows exactly the API's queue in the API's order,
//! the filters and the counts per reason, no personal data in the bytes — and the case page's "Waarom zit dit
//! vast?" panel for the involved wijkteam member and the teamleider (with the remedies they may take as links),
//! absent for a case that is not stuck. On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;
use chrono::Duration;
use diesel::prelude::*;
use serde_json::{json, Value};

use common::pages::WebSession;
use common::world::household_case_and_person;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::cases;

/// Moves a case's opening `days` into the past, as if it had been waiting that long, and marks it changed (as
/// tests/escalations.rs does).
fn opened_days_ago(app: &TestApp, case: &str, days: i64) {
    let mut conn = app.conn();
    let opened = eenplan::db::now() - Duration::days(days);
    diesel::update(cases::table.filter(cases::id.eq(case)))
        .set(cases::created_at.eq(opened))
        .execute(&mut conn)
        .unwrap();
    eenplan::db::mark_case_changed(&mut conn, case, eenplan::db::now()).unwrap();
}

/// A household in `team` and `wijk` and the case `creator` opened for it: the case id.
async fn case_in(app: &TestApp, creator: &TestUser, team: &str, wijk: &str) -> String {
    let token = app.token(creator).await;
    let h = app
        .post(
            "/api/v1/households",
            &token,
            json!({"postcode": "2712 CD", "houseNumber": 3, "wijk": wijk, "teamId": team}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let c = app.post("/api/v1/cases", &token, json!({"householdId": h.body["id"], "laws": ["Wmo"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    c.body["id"].as_str().unwrap().to_string()
}

async fn api_queue(app: &TestApp, pc: &TestUser, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/escalations/queue{query}"), &app.token(pc).await).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body
}

fn api_ids(body: &Value) -> Vec<String> {
    body["cases"].as_array().unwrap().iter().map(|c| c["caseId"].as_str().unwrap().to_string()).collect()
}

/// The case ids of the queue page's rows, in the page's order.
fn page_ids(html: &str) -> Vec<String> {
    html.split("<span class=\"stuck-queue__id\">Dossier ")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_string())
        .collect()
}

/// The row of one case: from its id to the end of its row.
fn row_of<'a>(html: &'a str, case: &str) -> &'a str {
    let at = html.find(&format!("Dossier {case}")).unwrap_or_else(|| panic!("no row for {case}"));
    let rest = &html[at..];
    &rest[..rest.find("</tr>").unwrap()]
}

fn last_event_of(app: &TestApp, user: &TestUser) -> eenplan::audit::model::EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

async fn sign_in(app: &TestApp, user: &TestUser) -> WebSession {
    app.web_sign_in_after_api(user).await
}

#[actix_web::test]
async fn only_the_procescoordinator_opens_the_queue_and_every_view_is_audited() {
    let app = TestApp::new().await;
    for role in Role::ALL {
        let user = app.user(role);
        let web = sign_in(&app, &user).await;
        let page = web.get(&app, "/procescoordinatie").await;
        let ok = role == Role::Procescoordinator;
        let expected = if ok { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(page.status, expected, "{role:?}: {}", page.body);
        let e = last_event_of(&app, &user);
        assert_eq!(e.action, "escalation.list", "{role:?}: the view is the queue's read");
        assert_eq!(e.outcome, if ok { "allowed" } else { "denied" }, "{role:?}");
        assert_eq!(e.http_status, Some(expected.as_u16() as i32), "{role:?}");
        if ok {
            // The same event as the API's read of the queue.
            let res = app.get("/api/v1/escalations/queue", &app.token(&user).await).await;
            assert_eq!(res.status, StatusCode::OK);
            let a = last_event_of(&app, &user);
            assert_eq!((&e.action, &e.basis, &e.resource_id), (&a.action, &a.basis, &a.resource_id));
            assert!(e.person_ids.is_empty(), "the queue names no one");
            assert!(page.body.contains("<h1>Vastgelopen dossiers</h1>"), "{}", page.body);
            assert!(page.body.contains("Er zijn nu geen vastgelopen dossiers."), "an empty queue says so");
        } else {
            assert!(!page.body.contains("Vastgelopen dossiers"), "{role:?}: the 403 page shows nothing of it");
        }
        // The header offers the page to whom it opens for, and to no one else.
        let home = web.get(&app, "/account").await;
        assert_eq!(home.body.contains("href=\"/procescoordinatie\""), ok, "{role:?}: the nav item");
    }
}

#[actix_web::test]
async fn the_rows_are_the_apis_and_the_filters_and_counts_work() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let waiting = case_in(&app, &creator, &app.team_id, "Centrum").await;
    let planless = case_in(&app, &creator, &app.team_id, "Oost").await;
    let fresh = case_in(&app, &creator, &app.team_id, "Centrum").await;
    // Another team's case, in its own wijk.
    let other_team = app.new_team(false);
    let colleague = app.user(Role::Wijkteam);
    eenplan::identity::store::replace_roles(
        &mut app.conn(),
        &colleague.id,
        &[eenplan::identity::model::RoleGrant { role: Role::Wijkteam, team_id: Some(other_team.clone()) }],
    )
    .unwrap();
    let elsewhere = case_in(&app, &colleague, &other_team, "Noord").await;
    opened_days_ago(&app, &waiting, 10);
    opened_days_ago(&app, &planless, 60);
    opened_days_ago(&app, &elsewhere, 50);

    let web = sign_in(&app, &pc).await;
    let page = web.get(&app, "/procescoordinatie").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let api = api_queue(&app, &pc, "").await;
    let ids = api_ids(&api);
    assert_eq!(ids.len(), 3, "{api}");
    assert!(!ids.contains(&fresh));
    assert_eq!(page_ids(&page.body), ids, "the page's rows are the API's, in its order");
    for c in api["cases"].as_array().unwrap() {
        let row = row_of(&page.body, c["caseId"].as_str().unwrap());
        for field in ["teamName", "wijk"] {
            assert!(row.contains(&format!("<td>{}</td>", c[field].as_str().unwrap())), "{field}: {row}");
        }
        for field in ["score", "organisations", "professionals"] {
            assert!(row.contains(&format!("<td>{}</td>", c[field])), "{field}: {row}");
        }
        assert_eq!(row.matches("class=\"badge ").count(), c["reasons"].as_array().unwrap().len(), "{row}");
    }
    let planless_row = row_of(&page.body, &planless);
    assert!(planless_row.contains("Geen regisseur sinds"), "{planless_row}");
    assert!(planless_row.contains("Nog geen afgesproken plan, 60 dagen na de start"), "{planless_row}");

    // The counts per reason are the API's, each linking to its filter.
    for r in api["perReason"].as_array().unwrap() {
        let link = format!(
            "<a href=\"/procescoordinatie?reden={}\"><span class=\"work-counts__count\">{}</span>",
            r["code"].as_str().unwrap(),
            r["cases"]
        );
        assert!(page.body.contains(&link), "{link}");
    }
    assert!(page.body.contains("<span class=\"work-counts__count\">3</span> vastgelopen in totaal"));

    // Each filter asks the API's queue the same question; empty fields are no filter.
    let team = app.team_id.clone();
    for (form, api_query) in [
        ("?reden=no_agreed_plan".to_string(), "?reason=no_agreed_plan".to_string()),
        (format!("?team={team}&wijk=&reden="), format!("?team={team}")),
        ("?team=&wijk=Noord&reden=".to_string(), "?wijk=Noord".to_string()),
        ("?team=&wijk=&reden=".to_string(), String::new()),
        ("?wijk=Zuid".to_string(), "?wijk=Zuid".to_string()),
    ] {
        let filtered = web.get(&app, &format!("/procescoordinatie{form}")).await;
        assert_eq!(filtered.status, StatusCode::OK, "{form}: {}", filtered.body);
        let expected = api_ids(&api_queue(&app, &pc, &api_query).await);
        assert_eq!(page_ids(&filtered.body), expected, "{form}");
        let e = last_event_of(&app, &pc);
        assert_eq!((e.action.as_str(), e.outcome.as_str()), ("escalation.list", "allowed"), "{form}");
    }
    let by_reason = web.get(&app, "/procescoordinatie?reden=no_agreed_plan").await;
    assert_eq!(page_ids(&by_reason.body).len(), 2, "60 and 50 days without a plan");
    assert!(by_reason.body.contains("<option value=\"no_agreed_plan\" selected>"), "the choice is kept");
    let by_team = web.get(&app, &format!("/procescoordinatie?team={team}")).await;
    assert!(!page_ids(&by_team.body).contains(&elsewhere));
    assert!(by_team.body.contains(&format!("<option value=\"{team}\" selected>")), "the choice is kept");
    let none = web.get(&app, "/procescoordinatie?wijk=Zuid").await;
    assert!(none.body.contains("Er zijn geen vastgelopen dossiers die bij dit filter passen."), "{}", none.body);
    // A reason the API does not know: its field error, as a page.
    let bad = web.get(&app, "/procescoordinatie?reden=lui").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
}

#[actix_web::test]
async fn the_queue_page_holds_no_personal_data() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let (household, case, person) = household_case_and_person(&app, &creator).await;
    opened_days_ago(&app, &case, 60);
    let web = sign_in(&app, &pc).await;
    let page = web.get(&app, "/procescoordinatie").await;
    assert_eq!(page_ids(&page.body), std::slice::from_ref(&case), "{}", page.body);
    // The bytes: no name, birth date, postcode, person or household id, nor the professional's name or email.
    for needle in ["Sanne", "Vries", "1988", "2711", &person, &household, &creator.email, "Test wijkteam"] {
        assert!(!page.body.contains(needle), "the queue page shows {needle}");
    }
    assert_eq!(page.body.matches("Huishouden in Centrum").count(), 1, "the household is named by its wijk");
}

#[actix_web::test]
async fn the_case_page_says_why_it_is_stuck_to_the_member_and_the_teamleider() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let (_, fresh, _) = household_case_and_person(&app, &creator).await;
    opened_days_ago(&app, &case, 60);
    let api = app.get(&format!("/api/v1/cases/{case}/stuck"), &app.token(&creator).await).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let codes: Vec<&str> =
        api.body["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["no_regisseur", "no_agreed_plan"]);

    // The involved member (not the regisseur): the reasons; the plan is theirs to make, proposing is not.
    let member = sign_in(&app, &creator).await;
    let page = member.get(&app, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let panel = panel_of(&page.body);
    assert_eq!(panel.matches("<li>").count(), 2, "{panel}");
    assert!(panel.contains("<strong>Geen regisseur sinds"), "{panel}");
    assert!(panel.contains("— stel een regisseur voor."), "no link for whom may not propose: {panel}");
    assert!(
        panel.contains(&format!(
            "<strong>Nog geen afgesproken plan, 60 dagen na de start</strong> — <a href=\"/dossiers/{case}/plan\">maak het plan af met de familie</a>"
        )),
        "{panel}"
    );
    let e = last_event_of(&app, &creator);
    assert_eq!((e.action.as_str(), e.outcome.as_str()), ("case.read", "allowed"), "the panel is part of the case read");

    // The teamleider's summary: the reasons too; proposing is theirs, the plan's content is not.
    let led = sign_in(&app, &lead).await;
    let page = led.get(&app, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let panel = panel_of(&page.body);
    assert!(panel.contains("<a href=\"#voorstel-titel\">stel een regisseur voor</a>"), "{panel}");
    assert!(panel.contains("— maak het plan af met de familie."), "{panel}");
    assert!(page.body.contains("id=\"voorstel-titel\""), "the link's target is on the page");

    // A case that is not stuck has no panel, for either.
    for web in [&member, &led] {
        let page = web.get(&app, &format!("/dossiers/{fresh}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(!page.body.contains("Waarom zit dit vast?"), "{}", page.body);
    }
    // Someone who does not see the case sees no reasons either: the case page's 404.
    let outsider = sign_in(&app, &app.user_in_other_team(Role::Wijkteam)).await;
    let page = outsider.get(&app, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Waarom zit dit vast?") && !page.body.contains("Geen regisseur sinds"));
}

/// The "Waarom zit dit vast?" section of a case page.
fn panel_of(html: &str) -> &str {
    let at = html.find("<h2 id=\"vast-titel\">Waarom zit dit vast?</h2>").unwrap_or_else(|| panic!("no panel: {html}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap()]
}
