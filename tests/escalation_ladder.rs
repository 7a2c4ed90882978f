//! The escalation ladder over the API: raising by hand (every role, in and out of scope), reading and listing by
//! scope, adoption granting content access and closing revoking it at once, the counts at adoption and at closing
//! computed, the convene emails without case content, every act audited with the escalation as basis, the ladder
//! rising on time and the automatic raise after N working days. On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;
use chrono::Duration;
use diesel::prelude::*;
use serde_json::{json, Value};

use common::world::household_case_and_person;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::{cases, escalations, outbox};

async fn raise(app: &TestApp, who: &TestUser, case: &str, reason: &str) -> common::Response {
    app.post(&format!("/api/v1/cases/{case}/escalations"), &app.token(who).await, json!({"reason": reason})).await
}

async fn act(app: &TestApp, who: &TestUser, escalation: &str, what: &str, body: Value) -> common::Response {
    app.post(&format!("/api/v1/escalations/{escalation}/{what}"), &app.token(who).await, body).await
}

async fn get_escalation(app: &TestApp, who: &TestUser, escalation: &str) -> common::Response {
    app.get(&format!("/api/v1/escalations/{escalation}"), &app.token(who).await).await
}

/// The last audit event of this user.
fn last_event(app: &TestApp, user: &TestUser) -> eenplan::audit::model::StoredEvent {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(user.id.as_str())).unwrap()
}

/// Queued emails of a template: (recipient, payload).
fn outbox_of(app: &TestApp, template: &str) -> Vec<(String, Value)> {
    outbox::table
        .filter(outbox::template.eq(template))
        .select((outbox::recipient_user_id, outbox::payload))
        .load::<(String, String)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(r, p)| (r, serde_json::from_str(&p).unwrap()))
        .collect()
}

fn set_respond_by_past(app: &TestApp, escalation: &str) {
    let yesterday = eenplan::db::now().date() - Duration::days(1);
    diesel::update(escalations::table.filter(escalations::id.eq(escalation)))
        .set(escalations::respond_by.eq(yesterday))
        .execute(&mut app.conn())
        .unwrap();
}

fn id_of(res: &common::Response) -> String {
    res.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn who_may_raise_by_hand_and_at_which_level() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let colleague = app.user(Role::Wijkteam); // same team, not involved
    let lead = app.user(Role::Teamleider);
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let other_wijkteam = app.user_in_other_team(Role::Wijkteam);
    let provider = app.user(Role::Provider);
    let pc = app.user(Role::Procescoordinator);
    let table: Vec<(&str, TestUser, StatusCode, Option<i64>)> = vec![
        ("involved professional", creator.clone(), StatusCode::CREATED, Some(1)),
        ("teamleider of the owning team", lead.clone(), StatusCode::CREATED, Some(1)),
        ("procescoördinator", pc.clone(), StatusCode::CREATED, Some(2)),
        ("wijkteam member not involved", colleague, StatusCode::NOT_FOUND, None),
        ("teamleider of another team", other_lead, StatusCode::NOT_FOUND, None),
        ("wijkteam of another team", other_wijkteam, StatusCode::NOT_FOUND, None),
        ("provider not involved", provider, StatusCode::NOT_FOUND, None),
        ("signaller", app.user(Role::Signaller), StatusCode::FORBIDDEN, None),
        ("matchregisseur", app.user(Role::Matchregisseur), StatusCode::FORBIDDEN, None),
        ("privacy officer", app.user(Role::PrivacyOfficer), StatusCode::FORBIDDEN, None),
        ("admin", app.user(Role::Admin), StatusCode::FORBIDDEN, None),
    ];
    for (who, user, status, level) in table {
        let (_, case, _) = household_case_and_person(&app, &creator).await;
        let res = raise(&app, &user, &case, "Het plan komt niet van de grond").await;
        assert_eq!(res.status, status, "{who}: {}", res.text);
        let event = last_event(&app, &user);
        assert_eq!(event.data.outcome, if level.is_some() { "allowed" } else { "denied" }, "{who}");
        if let Some(level) = level {
            assert_eq!(res.body["level"], level, "{who}");
            assert_eq!(res.body["status"], "open");
            assert_eq!(res.body["trigger"], "manual");
            assert_eq!(res.body["steps"][0]["kind"], "raised");
            assert_eq!(event.data.action, "escalation.raise", "{who}");
            assert_eq!(event.data.case_id.as_deref(), Some(case.as_str()));
            // One open escalation per case.
            let again = raise(&app, &user, &case, "Nog steeds").await;
            assert_eq!(again.status, StatusCode::CONFLICT, "{who}: {}", again.text);
        }
    }
    // No such case: 404; a reason is required and short.
    let res = raise(&app, &creator, &eenplan::db::new_id(), "x").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let res = raise(&app, &creator, &case, " ").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = raise(&app, &creator, &case, &"x".repeat(501)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
}

#[actix_web::test]
async fn an_escalation_is_read_and_listed_by_those_in_scope_only() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let pc = app.user(Role::Procescoordinator);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let res = raise(&app, &creator, &case, "Geen voortgang").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = id_of(&res);
    // The ladder: every level, whom it addresses and its respond-by date.
    let ladder = res.body["ladder"].as_array().unwrap();
    let addressed: Vec<&str> = ladder.iter().map(|r| r["addressee"].as_str().unwrap()).collect();
    assert_eq!(addressed, ["teamleider", "procescoordinator", "doorzettingsmacht"]);
    assert_eq!(ladder[0]["state"], "current");
    assert_eq!(ladder[0]["respondBy"], res.body["respondBy"]);
    assert_eq!(res.body["doorzettingsmacht"], "Gemeentesecretaris");

    for (who, user, status) in [
        ("creator", &creator, StatusCode::OK),
        ("teamleider", &lead, StatusCode::OK),
        ("procescoördinator", &pc, StatusCode::OK),
        ("outsider", &outsider, StatusCode::NOT_FOUND),
        ("another team's lead", &other_lead, StatusCode::NOT_FOUND),
    ] {
        let res = get_escalation(&app, user, &id).await;
        assert_eq!(res.status, status, "{who}: {}", res.text);
        let list = app.get("/api/v1/escalations?status=open", &app.token(user).await).await;
        assert_eq!(list.status, StatusCode::OK, "{who}: {}", list.text);
        let ids: Vec<&str> = list.body.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids.contains(&id.as_str()), status == StatusCode::OK, "{who}: {}", list.text);
    }
    let level2 = app.get("/api/v1/escalations?level=2", &app.token(&pc).await).await;
    assert!(level2.body.as_array().unwrap().is_empty(), "{}", level2.text);
    let bad = app.get("/api/v1/escalations?level=4", &app.token(&pc).await).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let signaller = app.user(Role::Signaller);
    let res = app.get("/api/v1/escalations", &app.token(&signaller).await).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Level 1 is answered by the teamleider (not the creator), which stops its clock.
    let res = act(&app, &creator, &id, "respond", json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    // A role that answers no escalation is refused before any lookup (403); another team's lead does not see it.
    let res = act(&app, &outsider, &id, "respond", json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = act(&app, &other_lead, &id, "respond", json!({})).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = act(&app, &lead, &id, "respond", json!({"text": "Ik bespreek het in het team"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.body["respondedAt"].is_string());
    let res = act(&app, &lead, &id, "respond", json!({})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
}

#[actix_web::test]
async fn adoption_grants_content_access_and_closing_revokes_it_at_once() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let other_pc = app.user(Role::Procescoordinator);
    let provider = app.user(Role::Provider);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let res = raise(&app, &creator, &case, "Te veel hulpverleners, niemand houdt overzicht").await;
    let id = id_of(&res);
    let case_path = format!("/api/v1/cases/{case}");

    let before = app.get(&case_path, &app.token(&pc).await).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND, "no content before adoption: {}", before.text);
    let plans_path = format!("{case_path}/plans");
    let plans = app.get(&plans_path, &app.token(&pc).await).await;
    assert_eq!(plans.status, StatusCode::NOT_FOUND, "no plan before adoption: {}", plans.text);
    // Only a procescoördinator adopts.
    let res = act(&app, &creator, &id, "adopt", json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);

    let res = act(&app, &pc, &id, "adopt", json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["adoptedBy"], pc.id.as_str());
    assert_eq!(res.body["level"], 2, "adopting takes it to the procescoördinator's level");
    assert!(res.body["respondedAt"].is_string(), "adopting answers level 2");
    assert_eq!(res.body["organisationsAtAdoption"], 1);
    assert_eq!(res.body["professionalsAtAdoption"], 1);
    let event = last_event(&app, &pc);
    assert_eq!(event.data.action, "escalation.adopt");
    assert_eq!(event.data.basis_kind().as_deref(), Some("escalation"));
    assert_eq!(event.data.basis_id(), Some(id.as_str()));
    assert_eq!(event.data.case_id.as_deref(), Some(case.as_str()));
    let again = act(&app, &other_pc, &id, "adopt", json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    let during = app.get(&case_path, &app.token(&pc).await).await;
    assert_eq!(during.status, StatusCode::OK, "{}", during.text);
    assert_eq!(during.body["view"], "content");
    let plans = app.get(&plans_path, &app.token(&pc).await).await;
    assert_eq!(plans.status, StatusCode::OK, "the adopter reads the plan: {}", plans.text);
    assert!(during.body["householdId"].is_string());

    // The adopter steers: involves a provider (fewer or more hands), convenes, records agreements.
    let res = app
        .post(
            &format!("{case_path}/involvements"),
            &app.token(&pc).await,
            json!({"userId": provider.id, "roleInCase": "schuldhulpverlener"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(last_event(&app, &pc).data.basis_kind().as_deref(), Some("escalation"));
    let res = act(&app, &other_pc, &id, "convene", json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "only the adopter: {}", res.text);
    let res = act(&app, &pc, &id, "convene", json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mut invited: Vec<String> = outbox_of(&app, "escalation_convened").into_iter().map(|(r, _)| r).collect();
    invited.sort();
    let mut expected = vec![creator.id.clone(), provider.id.clone()];
    expected.sort();
    assert_eq!(invited, expected, "one email to each involved professional");
    for (_, payload) in outbox_of(&app, "escalation_convened") {
        assert_eq!(payload, json!({"caseId": case, "escalationId": id}), "ids only, no content");
    }
    let res = act(&app, &pc, &id, "agreements", json!({"text": "Eén regisseur, wekelijks overleg"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = act(&app, &pc, &id, "agreements", json!({"text": "x".repeat(2001)})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Doorzettingsmacht: only at level 3, which the adopter raises to.
    let res = act(&app, &pc, &id, "decisions", json!({"text": "Schuldhulp gaat voor"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = act(&app, &pc, &id, "raise", json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["level"], 3);
    let res =
        act(&app, &pc, &id, "decisions", json!({"holder": "Wethouder Zorg", "text": "Schuldhulp gaat voor"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let steps: Vec<&str> = res.body["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(steps, ["raised", "risen", "adopted", "convened", "agreement", "risen", "decision"]);
    assert_eq!(res.body["steps"][6]["holder"], "Wethouder Zorg");

    // The adopter proposes a new regisseur through the case's own route, on the escalation.
    let res = app
        .call(
            actix_web::http::Method::PUT,
            &format!("{case_path}/regisseur"),
            Some(&app.token(&pc).await),
            Some(json!({"userId": creator.id})),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(last_event(&app, &pc).data.basis_kind().as_deref(), Some("escalation"));

    // Closing: all errors at once, then the outcome with the counts now; the access ends at once.
    let res = act(&app, &pc, &id, "close", json!({"note": "x".repeat(2001)})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("perspectiveRegained") && res.text.contains("note"), "{}", res.text);
    let res = act(&app, &other_pc, &id, "close", json!({"perspectiveRegained": true})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "the adopter closes: {}", res.text);
    let res = act(&app, &pc, &id, "close", json!({"perspectiveRegained": true, "note": "Rust in het gezin"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "closed");
    assert_eq!(res.body["perspectiveRegained"], true);
    assert_eq!(res.body["organisationsAtClose"], 2, "the provider's organisation joined");
    assert_eq!(res.body["professionalsAtClose"], 2);
    assert_eq!(res.body["organisationsAtAdoption"], 1);
    let event = last_event(&app, &pc);
    assert_eq!(
        (event.data.action.as_str(), event.data.basis_kind().as_deref()),
        ("escalation.close", Some("escalation"))
    );
    let after = app.get(&case_path, &app.token(&pc).await).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND, "closing ends the adoption's access: {}", after.text);
    let plans = app.get(&plans_path, &app.token(&pc).await).await;
    assert_eq!(plans.status, StatusCode::NOT_FOUND, "and to the plan: {}", plans.text);
    let res = act(&app, &pc, &id, "agreements", json!({"text": "te laat"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // Every act of the adopter is audited with the escalation as basis.
    for action in [
        "escalation.adopt",
        "escalation.convene",
        "escalation.agreement",
        "escalation.raise_level",
        "escalation.decision",
        "escalation.close",
    ] {
        let events: Vec<_> =
            app.audit_events().into_iter().filter(|e| e.data.action == action && e.data.outcome == "allowed").collect();
        assert!(!events.is_empty(), "{action}");
        for e in events {
            assert_eq!(e.data.basis_id(), Some(id.as_str()), "{action}");
        }
    }
}

#[actix_web::test]
async fn the_ladder_rises_on_time_and_notifies_each_addressee() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let pc = app.user(Role::Procescoordinator);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let res = raise(&app, &creator, &case, "Geen regisseur").await;
    let id = id_of(&res);
    let notified: Vec<String> = outbox_of(&app, "escalation_raised").into_iter().map(|(r, _)| r).collect();
    assert_eq!(notified, [lead.id.as_str()], "level 1: the team's teamleider");
    let keep = || eenplan::escalations::service::keep_current(&app.state);

    // Not yet due: nothing moves.
    keep().await.unwrap();
    assert_eq!(get_escalation(&app, &pc, &id).await.body["level"], 1);

    set_respond_by_past(&app, &id);
    let report = keep().await.unwrap();
    assert_eq!(report.ladder.risen, 1);
    let res = get_escalation(&app, &pc, &id).await;
    assert_eq!(res.body["level"], 2, "{}", res.text);
    assert_eq!(res.body["addressee"], "procescoordinator");
    assert!(res.body["respondBy"].as_str().unwrap() > eenplan::db::now().date().to_string().as_str());
    assert_eq!(res.body["ladder"][0]["state"], "passed");
    assert_eq!(res.body["steps"][1]["kind"], "risen");
    let raised: Vec<(String, Value)> = outbox_of(&app, "escalation_raised");
    assert!(raised.iter().any(|(r, p)| *r == pc.id && *p == json!({"caseId": case, "escalationId": id})), "{raised:?}");
    keep().await.unwrap();
    assert_eq!(get_escalation(&app, &pc, &id).await.body["level"], 2, "its new deadline has not passed");

    set_respond_by_past(&app, &id);
    keep().await.unwrap();
    assert_eq!(get_escalation(&app, &pc, &id).await.body["level"], 3);
    // No doorzettingsmacht user is configured: the procescoördinatoren hear of level 3.
    assert_eq!(outbox_of(&app, "escalation_raised").iter().filter(|(r, _)| *r == pc.id).count(), 2);
    set_respond_by_past(&app, &id);
    assert_eq!(keep().await.unwrap().ladder.risen, 0, "level 3 does not rise");

    // An answered level does not rise.
    let (_, answered, _) = household_case_and_person(&app, &creator).await;
    let other = id_of(&raise(&app, &creator, &answered, "Vastgelopen").await);
    assert_eq!(act(&app, &lead, &other, "respond", json!({})).await.status, StatusCode::OK);
    set_respond_by_past(&app, &other);
    keep().await.unwrap();
    assert_eq!(get_escalation(&app, &pc, &other).await.body["level"], 1);
}

#[actix_web::test]
async fn a_stuck_reason_raises_level_one_after_its_working_days() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let pc = app.user(Role::Procescoordinator);
    let (_, long, _) = household_case_and_person(&app, &creator).await;
    let (_, recent, _) = household_case_and_person(&app, &creator).await;
    let mut conn = app.conn();
    // No regisseur: the reason holds from five working days after opening. Forty days ago it has held for well
    // over ten working days; ten days ago it has held for five at most.
    for (case, days) in [(&long, 40), (&recent, 10)] {
        diesel::update(cases::table.filter(cases::id.eq(case)))
            .set(cases::created_at.eq(eenplan::db::now() - Duration::days(days)))
            .execute(&mut conn)
            .unwrap();
        eenplan::db::mark_case_changed(&mut conn, case, eenplan::db::now()).unwrap();
    }
    let report = eenplan::escalations::service::keep_current(&app.state).await.unwrap();
    assert_eq!(report.ladder.raised, 1, "{report:?}");
    let list = app.get("/api/v1/escalations", &app.token(&pc).await).await;
    let rows = list.body.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", list.text);
    assert_eq!(rows[0]["caseId"], long.as_str());
    assert_eq!(rows[0]["level"], 1);
    assert_eq!(rows[0]["trigger"], "rule");
    assert_eq!(rows[0]["triggerCode"], "no_regisseur");
    assert!(rows[0]["raisedBy"].is_null());
    assert!(outbox_of(&app, "escalation_raised").iter().any(|(r, _)| *r == lead.id));
    // The raise runs once a day: tomorrow's run finds the escalation open and raises no second one.
    let run_on = |days: i64| {
        let at = eenplan::db::now() + Duration::days(days);
        eenplan::escalations::service::run_ladder(&mut app.conn(), &app.state.rules, at).unwrap()
    };
    assert_eq!(run_on(1).raised, 0, "once");

    // The queue shows the level and filters by it (0: none open).
    let token = app.token(&pc).await;
    let queue = app.get("/api/v1/escalations/queue", &token).await;
    let level_of = |body: &Value, case: &str| {
        body["cases"].as_array().unwrap().iter().find(|c| c["caseId"] == case).map(|c| c["level"].clone())
    };
    assert_eq!(level_of(&queue.body, &long), Some(json!(1)), "{}", queue.text);
    assert_eq!(level_of(&queue.body, &recent), Some(Value::Null), "{}", queue.text);
    let at_one = app.get("/api/v1/escalations/queue?level=1", &token).await;
    assert!(level_of(&at_one.body, &long).is_some() && level_of(&at_one.body, &recent).is_none(), "{}", at_one.text);
    let none = app.get("/api/v1/escalations/queue?level=0", &token).await;
    assert!(level_of(&none.body, &long).is_none() && level_of(&none.body, &recent).is_some(), "{}", none.text);

    // Closed, it is not raised again for the same reason period.
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let res = act(&app, &lead, &id, "close", json!({"perspectiveRegained": false, "note": "Overgedragen"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(run_on(2).raised, 0);
}

#[actix_web::test]
async fn the_automatic_raise_runs_once_a_day() {
    use eenplan::escalations::service::{run_ladder, settle, LadderReport};
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let (rules, mut conn) = (&app.state.rules, app.conn());
    let now = eenplan::db::now();
    settle(&mut conn, &rules.stuck, &rules.calendar).unwrap();
    assert_eq!(run_ladder(&mut conn, rules, now).unwrap(), LadderReport::default(), "nothing held long enough");

    // Later that day the case turns out to have waited forty days for a regisseur: its reason is stored now, long
    // due. A second run on the same day does not read the reasons again; the next day's does.
    diesel::update(cases::table.filter(cases::id.eq(&case)))
        .set(cases::created_at.eq(now - Duration::days(40)))
        .execute(&mut conn)
        .unwrap();
    eenplan::db::mark_case_changed(&mut conn, &case, now).unwrap();
    settle(&mut conn, &rules.stuck, &rules.calendar).unwrap();
    assert_eq!(run_ladder(&mut conn, rules, now).unwrap(), LadderReport::default(), "today's raise ran already");
    let none: i64 = escalations::table.count().get_result(&mut conn).unwrap();
    assert_eq!(none, 0);
    let tomorrow = run_ladder(&mut conn, rules, now + Duration::days(1)).unwrap();
    assert_eq!(tomorrow, LadderReport { raised: 1, risen: 0 });
    let raised: Vec<(String, Option<String>)> =
        escalations::table.select((escalations::case_id, escalations::trigger_code)).load(&mut conn).unwrap();
    assert_eq!(raised, [(case, Some("no_regisseur".to_string()))]);
}
