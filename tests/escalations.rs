//! Procescoördinatie over the API: the queue of stuck cases (every role; only procescoördinatoren), kept current
//! on the write that changes a reason (a case whose regisseur is accepted leaves it at once), no personal data in
//! its bytes, every read audited; a case's own reasons for those who see it (404 for others); the daily scan
//! claimed by one run a day. On SQLite and PostgreSQL.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::Duration;
use diesel::prelude::*;
use serde_json::{json, Value};

use common::world::household_case_and_person;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::cases;

/// Moves a case's opening `days` into the past, as if it had been waiting that long, and marks it changed.
fn opened_days_ago(app: &TestApp, case: &str, days: i64) {
    let mut conn = app.conn();
    let opened = eenplan::db::now() - Duration::days(days);
    diesel::update(cases::table.filter(cases::id.eq(case)))
        .set(cases::created_at.eq(opened))
        .execute(&mut conn)
        .unwrap();
    eenplan::db::mark_case_changed(&mut conn, case, eenplan::db::now()).unwrap();
}

async fn queue(app: &TestApp, who: &TestUser, query: &str) -> common::Response {
    app.get(&format!("/api/v1/escalations/queue{query}"), &app.token(who).await).await
}

fn case_ids(body: &Value) -> Vec<String> {
    body["cases"].as_array().unwrap().iter().map(|c| c["caseId"].as_str().unwrap().to_string()).collect()
}

fn codes_of(body: &Value, case: &str) -> Vec<String> {
    let row = body["cases"].as_array().unwrap().iter().find(|c| c["caseId"] == case).unwrap();
    row["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn only_procescoordinatoren_read_the_queue_and_every_read_is_audited() {
    let app = TestApp::new().await;
    for role in Role::ALL {
        let user = app.user(role);
        let res = queue(&app, &user, "").await;
        let expected = if role == Role::Procescoordinator { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(res.status, expected, "{role:?}: {}", res.text);
        let event = app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap();
        assert_eq!(event.data.action, "escalation.list", "{role:?}");
        let outcome = if role == Role::Procescoordinator { "allowed" } else { "denied" };
        assert_eq!(event.data.outcome, outcome, "{role:?}");
    }
}

#[actix_web::test]
async fn a_case_without_regisseur_is_in_the_queue_until_one_accepts_and_leaves_at_once() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let pc = app.user(Role::Procescoordinator);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let (_, fresh, _) = household_case_and_person(&app, &creator).await;

    // Opened four days ago: whatever the weekday, fewer than five working days (the threshold) have passed.
    opened_days_ago(&app, &case, 4);
    let res = queue(&app, &pc, "").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(!case_ids(&res.body).contains(&case), "four days is not yet five working days");

    // Ten days: at least six working days, whatever the holidays around it.
    opened_days_ago(&app, &case, 10);
    let res = queue(&app, &pc, "").await;
    assert_eq!(case_ids(&res.body), std::slice::from_ref(&case), "only the waiting case: {}", res.text);
    assert_eq!(codes_of(&res.body, &case), ["no_regisseur"]);
    let row = &res.body["cases"][0];
    assert_eq!(row["teamId"], app.team_id.as_str());
    assert_eq!(row["wijk"], "Centrum");
    assert_eq!(row["score"], 3);
    assert_eq!(res.body["total"], 1);
    assert_eq!(res.body["perReason"], json!([{"code": "no_regisseur", "cases": 1}]));
    assert!(!case_ids(&res.body).contains(&fresh));

    // Filters: by reason, team and wijk; an unknown reason is a field error.
    assert_eq!(case_ids(&queue(&app, &pc, "?reason=no_regisseur").await.body), std::slice::from_ref(&case));
    assert!(case_ids(&queue(&app, &pc, "?reason=many_hands").await.body).is_empty());
    assert_eq!(case_ids(&queue(&app, &pc, &format!("?team={}", app.team_id)).await.body), std::slice::from_ref(&case));
    assert!(case_ids(&queue(&app, &pc, "?wijk=Noord").await.body).is_empty());
    let bad = queue(&app, &pc, "?reason=lazy").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);

    // The reasons for those who see the case, and 404 for anyone else.
    let own = app.get(&format!("/api/v1/cases/{case}/stuck"), &app.token(&creator).await).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    assert_eq!(own.body["reasons"][0]["code"], "no_regisseur");
    let led = app.get(&format!("/api/v1/cases/{case}/stuck"), &app.token(&lead).await).await;
    assert_eq!(led.status, StatusCode::OK, "the teamleider sees the summary: {}", led.text);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let out = app.get(&format!("/api/v1/cases/{case}/stuck"), &app.token(&outsider).await).await;
    assert_eq!(out.status, StatusCode::NOT_FOUND, "{}", out.text);

    // A regisseur accepts: the case leaves the queue with the next read, no scan needed.
    let lt = app.token(&lead).await;
    let p = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{case}/regisseur"),
            Some(&lt),
            Some(json!({"userId": creator.id})),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let a = app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &app.token(&creator).await, json!({})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let res = queue(&app, &pc, "").await;
    assert!(case_ids(&res.body).is_empty(), "{}", res.text);
    assert_eq!(res.body["total"], 0);
}

#[actix_web::test]
async fn the_queue_holds_no_personal_data() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let (household, case, person) = household_case_and_person(&app, &creator).await;
    opened_days_ago(&app, &case, 60);
    let res = queue(&app, &pc, "").await;
    assert_eq!(case_ids(&res.body), std::slice::from_ref(&case), "{}", res.text);
    assert_eq!(codes_of(&res.body, &case), ["no_regisseur", "no_agreed_plan"]);
    // The bytes: no name, birth date, address, person or household id, nor the professional's name.
    for needle in ["Sanne", "Vries", "1988", "2711", "AB", &person, &household, &creator.email, "Test wijkteam"] {
        assert!(!res.text.contains(needle), "the queue shows {needle}: {}", res.text);
    }
}

#[actix_web::test]
async fn the_daily_scan_runs_once_a_day_and_finds_what_time_made_stuck() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    let mut conn = app.conn();
    let rules = &app.state.rules;
    // Settle the marks of the setup, then let time pass without a change (no mark).
    eenplan::escalations::service::settle(&mut conn, &rules.stuck, &rules.calendar).unwrap();
    let opened = eenplan::db::now() - Duration::days(10);
    diesel::update(cases::table.filter(cases::id.eq(&case)))
        .set(cases::created_at.eq(opened))
        .execute(&mut conn)
        .unwrap();
    let stuck = || eenplan::escalations::store::case_reasons(&mut app.conn(), &case).unwrap();
    assert!(stuck().is_none(), "nothing marked it, nothing computed it");

    let first = eenplan::escalations::service::scan_once_a_day(&mut conn, &rules.stuck, &rules.calendar).unwrap();
    assert!(first.ran);
    assert!(first.cases >= 1 && first.stuck == 1, "{first:?}");
    assert!(stuck().unwrap().contains("no_regisseur"));
    let second = eenplan::escalations::service::scan_once_a_day(&mut conn, &rules.stuck, &rules.calendar).unwrap();
    assert!(!second.ran, "today is claimed: another node or run does not scan again");
}

#[actix_web::test]
async fn an_unconfirmed_match_on_a_household_member_counts_until_everyone_confirmed_contact() {
    use eenplan::db::schema::match_members;
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let (household, case, _) = household_case_and_person(&app, &creator).await;
    let token = app.token(&creator).await;
    let birth = (chrono::Utc::now().date_naive() - Duration::days(12 * 365)).to_string();
    let bsn = eenplan::households::bsn::synthetic(77).expose().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &token,
            json!({"person": {"name": "Kind de Vries", "birthDate": birth, "bsn": bsn}, "relation": "child", "from": birth}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    let school = app.user_in(Role::Signaller, &app.organisation("Basisschool", "other"));
    let jgz = app.user_in(Role::Signaller, &app.organisation("Jeugdgezondheidszorg", "provider"));
    let body = json!({"subject": {"bsn": bsn, "birthDate": birth}, "contact": {"phone": "079 123 45 67"}});
    for who in [&school, &jgz] {
        let r = app.post("/api/v1/signals", &app.token(who).await, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    // The match is a month old and nobody confirmed contact.
    let month_ago = eenplan::db::now() - Duration::days(30);
    diesel::update(match_members::table).set(match_members::joined_at.eq(month_ago)).execute(&mut app.conn()).unwrap();
    eenplan::db::mark_case_changed(&mut app.conn(), &case, eenplan::db::now()).unwrap();
    let res = queue(&app, &pc, "").await;
    assert_eq!(codes_of(&res.body, &case), ["unconfirmed_match"], "{}", res.text);

    let matches = app.get("/api/v1/matches", &app.token(&school).await).await;
    let match_id = matches.body["items"][0]["id"].as_str().unwrap().to_string();
    let confirm = |who: &TestUser| {
        let (app, who, path) = (&app, who.clone(), format!("/api/v1/matches/{match_id}/contact"));
        async move { app.post(&path, &app.token(&who).await, json!({})).await }
    };
    assert_eq!(confirm(&school).await.status, StatusCode::OK);
    assert_eq!(codes_of(&queue(&app, &pc, "").await.body, &case), ["unconfirmed_match"], "one has not confirmed");
    assert_eq!(confirm(&jgz).await.status, StatusCode::OK);
    let res = queue(&app, &pc, "").await;
    assert!(case_ids(&res.body).is_empty(), "everyone confirmed: the case leaves the queue at once: {}", res.text);
}

/// `store::lock_stuck_cases` on PostgreSQL: a recompute of a case that another transaction is recomputing waits
/// for it to commit, then replaces its rows. Without the lock the second one's delete does not see the first's
/// uncommitted rows, its insert waits on the first's row in the primary key and fails with a duplicate key when the
/// first commits. The first transaction is held open until the second is seen waiting on a lock (pg_locks), so
/// the overlap is certain, not a matter of timing. SQLite's write transaction holds the whole database already
/// (the lock is a no-op there): nothing to test on it.
#[actix_web::test]
async fn two_recomputes_of_one_case_at_once_wait_for_each_other_on_postgres() {
    use diesel::connection::TransactionManager;
    use eenplan::db::schema::{stuck_cases, stuck_reasons};
    use eenplan::db::DbConn;
    let app = TestApp::new().await;
    if !app.is_postgres() {
        return;
    }
    let creator = app.user(Role::Wijkteam);
    let (_, case, _) = household_case_and_person(&app, &creator).await;
    opened_days_ago(&app, &case, 10);
    let (rules, cal) = (&app.state.rules.stuck, &app.state.rules.calendar);
    let ids = vec![case.clone()];
    let recompute =
        |conn: &mut DbConn| eenplan::escalations::service::recompute(conn, &ids, rules, cal, eenplan::db::now());
    type Tm = <DbConn as diesel::Connection>::TransactionManager;

    // The first recompute, done but not committed: it holds the lock (and its new rows) until its commit.
    let mut first = app.conn();
    Tm::begin_transaction(&mut first).unwrap();
    assert_eq!(recompute(&mut first).unwrap(), 1, "the case is stuck");
    let second = std::thread::scope(|s| {
        let (pid_tx, pid_rx) = std::sync::mpsc::channel();
        let recompute = &recompute;
        let app = &app;
        let other = s.spawn(move || {
            let mut conn = app.conn();
            let DbConn::Pg(pg) = &mut conn else { unreachable!() };
            let pid: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
                .get_result(pg)
                .unwrap();
            pid_tx.send(pid).unwrap();
            recompute(&mut conn)
        });
        let pid = pid_rx.recv().unwrap();
        let mut watcher = app.conn();
        let DbConn::Pg(watcher) = &mut watcher else { unreachable!() };
        let waiting = format!("(SELECT count(*) FROM pg_locks WHERE pid = {pid} AND NOT granted)");
        loop {
            let blocked: i64 =
                diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&waiting)).get_result(watcher).unwrap();
            if blocked > 0 || other.is_finished() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(!other.is_finished(), "the second recompute did not wait for the first");
        Tm::commit_transaction(&mut first).unwrap();
        other.join().unwrap()
    });
    assert_eq!(second.as_ref().ok(), Some(&1), "the second recompute waited and replaced the rows: {second:?}");
    let mut conn = app.conn();
    let rows: i64 = stuck_cases::table.filter(stuck_cases::case_id.eq(&case)).count().get_result(&mut conn).unwrap();
    assert_eq!(rows, 1, "exactly one stuck case row");
    let codes: Vec<String> = stuck_reasons::table
        .filter(stuck_reasons::case_id.eq(&case))
        .select(stuck_reasons::code)
        .load(&mut conn)
        .unwrap();
    assert_eq!(codes, ["no_regisseur"]);
}

/// `store::save` inserts many rows per statement, in chunks: 7,500 stuck cases (9 columns each) and 15,000 reasons
/// (3 each) in one recompute are more bound parameters than one statement may carry on SQLite (32,766) or
/// PostgreSQL (65,535), and every row is stored.
#[actix_web::test]
async fn one_recompute_stores_more_stuck_rows_than_one_statement_may_bind() {
    use eenplan::db::schema::{stuck_cases, stuck_reasons};
    const CASES: usize = 7_500;
    let app = TestApp::new().await;
    let mut conn = app.conn();
    let opened = eenplan::db::now() - Duration::days(60);
    let ids: Vec<String> = eenplan::db::write_tx(&mut conn, |c| {
        let mut ids = Vec::with_capacity(CASES);
        for n in 0..CASES {
            let household = eenplan::households::store::HouseholdRow {
                id: eenplan::db::new_id(),
                postcode: "2799ZZ".into(),
                house_number: n as i32 + 1,
                house_number_addition: None,
                institutional_address: false,
                wijk: "Centrum".into(),
                team_id: app.team_id.clone(),
                confidentiality: "normal".into(),
                version: 1,
                created_at: opened,
                updated_at: opened,
            };
            eenplan::households::store::insert_household(c, &household)?;
            let case = eenplan::cases::store::CaseRow {
                id: eenplan::db::new_id(),
                household_id: household.id,
                team_id: app.team_id.clone(),
                state: "intake".into(),
                laws: "Wmo".into(),
                close_reason: None,
                previous_case_id: None,
                version: 1,
                created_at: opened,
                updated_at: opened,
                closed_at: None,
            };
            eenplan::cases::store::insert_case(c, &case)?;
            ids.push(case.id);
        }
        diesel::QueryResult::Ok(ids)
    })
    .unwrap();
    let rules = &app.state.rules;
    let stuck =
        eenplan::escalations::service::recompute(&mut conn, &ids, &rules.stuck, &rules.calendar, eenplan::db::now())
            .unwrap();
    assert_eq!(stuck, CASES);
    let cases: i64 = stuck_cases::table.count().get_result(&mut conn).unwrap();
    let reasons: i64 = stuck_reasons::table.count().get_result(&mut conn).unwrap();
    assert_eq!((cases, reasons), (CASES as i64, 2 * CASES as i64), "no regisseur and no agreed plan, each case");
}

/// The queue's counts are kept by difference (`stuck_counts`): after every kind of change — cases becoming stuck,
/// recomputed unchanged, gaining a reason, leaving the queue, the whole scan — they equal a count of the stored
/// reasons and cases.
#[actix_web::test]
async fn the_kept_counts_equal_the_stored_reasons_through_every_change() {
    use eenplan::db::schema::{stuck_cases, stuck_reasons};
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let pc = app.user(Role::Procescoordinator);
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(household_case_and_person(&app, &creator).await.1);
    }
    let truth = |app: &TestApp| -> (Value, i64) {
        let mut conn = app.conn();
        let per: Vec<(String, i64)> = stuck_reasons::table
            .group_by(stuck_reasons::code)
            .select((stuck_reasons::code, diesel::dsl::count_star()))
            .order(stuck_reasons::code)
            .load(&mut conn)
            .unwrap();
        let total: i64 = stuck_cases::table.count().get_result(&mut conn).unwrap();
        (json!(per.into_iter().map(|(code, cases)| json!({"code": code, "cases": cases})).collect::<Vec<_>>()), total)
    };
    let check = |body: &Value, app: &TestApp, when: &str| {
        let (per, total) = truth(app);
        let mut shown = body["perReason"].as_array().unwrap().clone();
        shown.sort_by_key(|r| r["code"].as_str().unwrap().to_string());
        assert_eq!((json!(shown), body["total"].as_i64().unwrap()), (per, total), "{when}");
    };
    opened_days_ago(&app, &cases[0], 10);
    opened_days_ago(&app, &cases[1], 10);
    opened_days_ago(&app, &cases[2], 60);
    let res = queue(&app, &pc, "").await;
    check(&res.body, &app, "three stuck");
    assert_eq!(res.body["total"], 3);

    // Recomputed without a change: nothing counted twice.
    for case in &cases {
        eenplan::db::mark_case_changed(&mut app.conn(), case, eenplan::db::now()).unwrap();
    }
    check(&queue(&app, &pc, "").await.body, &app, "recomputed unchanged");

    // One gains a reason (no agreed plan either), one leaves (opened today again), one new.
    opened_days_ago(&app, &cases[0], 60);
    opened_days_ago(&app, &cases[1], 0);
    opened_days_ago(&app, &cases[3], 10);
    let res = queue(&app, &pc, "").await;
    check(&res.body, &app, "changed");
    assert_eq!(res.body["total"], 3);
    // Filtered by a reason (its own rows, which carry what the queue shows of their case): the whole queue's rows
    // with that reason, field for field, in the whole queue's order; alone and with the team filter.
    let team = res.body["cases"][0]["teamId"].as_str().unwrap().to_string();
    for code in ["no_regisseur", "no_agreed_plan"] {
        let expected: Vec<Value> = res.body["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["reasons"].as_array().unwrap().iter().any(|r| r["code"] == code))
            .cloned()
            .collect();
        let filtered = queue(&app, &pc, &format!("?reason={code}")).await;
        assert_eq!(filtered.body["cases"].as_array().unwrap(), &expected, "{code}");
        assert!(!expected.is_empty(), "{code}");
        let of_team: Vec<Value> = expected.iter().filter(|c| c["teamId"] == team.as_str()).cloned().collect();
        let filtered = queue(&app, &pc, &format!("?reason={code}&team={team}")).await;
        assert_eq!(filtered.body["cases"].as_array().unwrap(), &of_team, "{code} in the team");
    }

    // The whole scan, twice: the same counts.
    let rules = &app.state.rules;
    for _ in 0..2 {
        eenplan::escalations::service::scan(&mut app.conn(), &rules.stuck, &rules.calendar).unwrap();
        check(&queue(&app, &pc, "").await.body, &app, "after the scan");
    }
}
