//! The database itself refuses what "1 gezin, 1 plan, 1 regisseur" forbids, on SQLite and PostgreSQL alike:
//! these hold even for code that forgets to check.

mod common;

use common::TestApp;
use diesel::connection::SimpleConnection;
use eenplan::access::Role;

fn sql(app: &TestApp, statement: &str) -> Result<(), String> {
    app.conn().batch_execute(statement).map_err(|e| e.to_string())
}

const T: &str = "'2026-01-01 00:00:00'";

fn household(app: &TestApp, id: &str) {
    sql(
        app,
        &format!(
            "INSERT INTO households (id, postcode, house_number, institutional_address, wijk, team_id, confidentiality,
                                     version, created_at, updated_at)
             VALUES ('{id}', '2711AB', 12, false, 'Centrum', '{}', 'normal', 1, {T}, {T})",
            app.team_id
        ),
    )
    .unwrap();
}

fn case(app: &TestApp, id: &str, household: &str, state: &str) -> Result<(), String> {
    let reason = if state == "closed" { "'moved'" } else { "NULL" };
    sql(
        app,
        &format!(
            "INSERT INTO cases (id, household_id, team_id, state, laws, close_reason, version, created_at, updated_at)
             VALUES ('{id}', '{household}', '{}', '{state}', 'Jeugdwet', {reason}, 1, {T}, {T})",
            app.team_id
        ),
    )
}

#[actix_web::test]
async fn one_open_case_per_household() {
    let app = TestApp::new().await;
    household(&app, "h1");
    case(&app, "c1", "h1", "intake").unwrap();
    assert!(case(&app, "c2", "h1", "registered").is_err(), "a second open case must be refused");
    case(&app, "c3", "h1", "closed").unwrap();
    sql(&app, "UPDATE cases SET state = 'closed', close_reason = 'goal_reached' WHERE id = 'c1'").unwrap();
    case(&app, "c4", "h1", "registered").unwrap();
    assert!(case(&app, "c5", "h1", "closed").map(|_| ()).is_ok(), "closed cases do not count");
    assert!(
        sql(&app, "UPDATE cases SET close_reason = NULL WHERE id = 'c3'").is_err(),
        "a closed case keeps its reason"
    );
}

#[actix_web::test]
async fn one_active_regisseur_and_one_open_proposal_per_case() {
    let app = TestApp::new().await;
    let a = app.user(Role::Wijkteam);
    let b = app.user(Role::Wijkteam);
    household(&app, "h1");
    case(&app, "c1", "h1", "intake").unwrap();
    let assign = |id: &str, user: &str, status: &str| {
        sql(
            &app,
            &format!(
                "INSERT INTO regisseur_assignments (id, case_id, user_id, status, proposed_by, family_choice, proposed_at)
                 VALUES ('{id}', 'c1', '{user}', '{status}', '{user}', false, {T})"
            ),
        )
    };
    assign("r1", &a.id, "active").unwrap();
    assert!(assign("r2", &b.id, "active").is_err(), "never two active regisseurs");
    assign("r3", &b.id, "proposed").unwrap();
    assert!(assign("r4", &a.id, "proposed").is_err(), "one open proposal at a time");
    // Handover: end the old and activate the new in one transaction; the index holds at every commit.
    sql(
        &app,
        "BEGIN; UPDATE regisseur_assignments SET status = 'ended' WHERE id = 'r1';
         UPDATE regisseur_assignments SET status = 'active' WHERE id = 'r3'; COMMIT;",
    )
    .unwrap();
    assign("r5", &a.id, "ended").unwrap();
}

#[actix_web::test]
async fn a_person_has_one_current_household() {
    let app = TestApp::new().await;
    household(&app, "h1");
    household(&app, "h2");
    sql(
        &app,
        &format!("INSERT INTO persons (id, name, birth_date, version, created_at, updated_at) VALUES ('p1', 'Kind', '2015-03-04', 1, {T}, {T})"),
    )
    .unwrap();
    let member = |id: &str, household: &str, from: &str, until: &str| {
        sql(
            &app,
            &format!(
                "INSERT INTO household_members (id, household_id, person_id, relation, custody, from_date, until_date, created_at)
                 VALUES ('{id}', '{household}', 'p1', 'child', false, '{from}', {until}, {T})"
            ),
        )
    };
    member("m1", "h1", "2015-03-04", "'2024-06-01'").unwrap();
    member("m2", "h2", "2024-06-01", "NULL").unwrap();
    assert!(member("m3", "h1", "2025-01-01", "NULL").is_err(), "two current households");
    assert!(member("m4", "h1", "2020-01-01", "'2019-01-01'").is_err(), "a period must not end before it starts");
}

#[actix_web::test]
async fn a_bsn_is_stored_only_encrypted_and_found_by_its_keyed_hash() {
    use eenplan::households::{bsn, store};
    let app = TestApp::new().await;
    let number = bsn::synthetic(3);
    let mut conn = app.conn();
    let birth = chrono::NaiveDate::from_ymd_opt(2012, 5, 17).unwrap();
    store::insert_person(&mut conn, &app.state.bsn, "p1", "Sanne", birth, Some(&number), eenplan::db::now()).unwrap();
    store::insert_person(&mut conn, &app.state.bsn, "p2", "Baby", birth, None, eenplan::db::now()).unwrap();

    let row = store::person(&mut conn, "p1").unwrap().unwrap();
    let digits = number.expose().as_bytes();
    let sealed = row.bsn_encrypted.clone().unwrap();
    assert!(!sealed.windows(digits.len()).any(|w| w == digits), "the BSN must not be stored in the clear");
    assert!(!row.bsn_hash.as_deref().unwrap().contains(number.expose()));
    assert_eq!(app.state.bsn.decrypt(&sealed), Some(number.clone()));

    let found = store::person_by_bsn(&mut conn, &app.state.bsn, &number).unwrap().unwrap();
    assert_eq!(found.id, "p1");
    assert!(store::person_by_bsn(&mut conn, &app.state.bsn, &bsn::synthetic(4)).unwrap().is_none());
    let again =
        store::insert_person(&mut conn, &app.state.bsn, "p3", "Dubbel", birth, Some(&number), eenplan::db::now());
    assert!(again.is_err(), "one person per BSN");
}
