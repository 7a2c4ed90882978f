//! Keyset paging on SQLite and PostgreSQL: a page is full while more items exist, a `next` cursor is handed out only
//! then, and a filter (`GET /matches?overdue=`) is applied before the limit, not after it.

mod common;

use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::match_members;
use eenplan::households::bsn::synthetic;

/// A signaller in each of two organisations, and five person matches between them, in key (creation) order.
struct World {
    school: TestUser,
    jgz: TestUser,
    matchregisseur: TestUser,
    matches: Vec<String>,
}

async fn world(app: &TestApp) -> World {
    let school = app.user_in(Role::Signaller, &app.organisation("Basisschool De Regenboog", "other"));
    let jgz = app.user_in(Role::Signaller, &app.organisation("Jeugdgezondheidszorg", "provider"));
    let t = Utc::now().date_naive();
    let birth = NaiveDate::from_ymd_opt(t.year() - 10, t.month(), t.day().min(28)).unwrap();
    let mut matches = Vec::new();
    for n in 0..5 {
        let body = json!({"subject": {"bsn": synthetic(80 + n).expose(), "birthDate": birth, "name": format!("Kind {n}")},
                          "contact": {"phone": "079 123 45 67"}});
        let first = app.post("/api/v1/signals", &app.token(&school).await, body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        let second = app.post("/api/v1/signals", &app.token(&jgz).await, body).await;
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
        matches.push(second.body["matches"][0]["id"].as_str().unwrap().to_string());
    }
    let mut sorted = matches.clone();
    sorted.sort();
    assert_eq!(sorted, matches, "matches are made in key order");
    World { school, jgz, matchregisseur: app.user(Role::Matchregisseur), matches }
}

/// Makes a match overdue: its members joined three weeks ago and none has confirmed contact.
fn make_overdue(app: &TestApp, match_id: &str) {
    diesel::update(match_members::table.filter(match_members::match_id.eq(match_id)))
        .set(match_members::joined_at.eq(eenplan::db::now() - Duration::days(21)))
        .execute(&mut app.conn())
        .unwrap();
}

fn ids(res: &common::Response) -> Vec<String> {
    res.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect()
}

fn next(res: &common::Response) -> Option<String> {
    res.body.get("next").and_then(Value::as_str).map(str::to_string)
}

/// Every page of a list, following `next`: each one checked to be full when it hands out a cursor.
async fn all_pages(app: &TestApp, token: &str, path: &str, limit: usize) -> Vec<Vec<String>> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let url = match &after {
            None => format!("{path}{sep}limit={limit}"),
            Some(a) => format!("{path}{sep}limit={limit}&after={a}"),
        };
        let res = app.get(&url, token).await;
        assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text);
        let page = ids(&res);
        after = next(&res);
        if after.is_some() {
            assert_eq!(page.len(), limit, "{url}: a page with a cursor is full: {}", res.text);
        }
        assert!(!page.is_empty() || pages.is_empty(), "{url}: a cursor led to an empty page");
        pages.push(page);
        if after.is_none() {
            return pages;
        }
        assert!(pages.len() < 20, "{url}: no end");
    }
}

#[actix_web::test]
async fn an_overdue_page_is_full_while_more_overdue_matches_exist() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // Overdue: the first and the fourth; the two between them and the last are not.
    make_overdue(&app, &w.matches[0]);
    make_overdue(&app, &w.matches[3]);

    for viewer in [&w.matchregisseur, &w.school, &w.jgz] {
        let t = app.token(viewer).await;
        let first = app.get("/api/v1/matches?overdue=true&limit=1", &t).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        assert_eq!(ids(&first), [w.matches[0].clone()], "{:?}: {}", viewer.role, first.text);
        assert_eq!(first.body["items"][0]["overdue"], true);
        let cursor = next(&first).unwrap_or_else(|| panic!("{:?}: more overdue matches exist", viewer.role));
        let second = app.get(&format!("/api/v1/matches?overdue=true&limit=1&after={cursor}"), &t).await;
        assert_eq!(ids(&second), [w.matches[3].clone()], "{:?}: {}", viewer.role, second.text);
        assert_eq!(second.body["items"][0]["overdue"], true);
        assert_eq!(next(&second), None, "{:?}: no more overdue matches: {}", viewer.role, second.text);

        // The others, filtered the same way: three of them fill a page of three exactly, with no cursor.
        let rest = app.get("/api/v1/matches?overdue=false&limit=3", &t).await;
        assert_eq!(ids(&rest), [w.matches[1].clone(), w.matches[2].clone(), w.matches[4].clone()], "{}", rest.text);
        assert!(rest.body["items"].as_array().unwrap().iter().all(|m| m["overdue"] == false));
        assert_eq!(next(&rest), None, "{}", rest.text);

        assert_eq!(all_pages(&app, &t, "/api/v1/matches?overdue=true", 1).await.concat().len(), 2);
        assert_eq!(all_pages(&app, &t, "/api/v1/matches?overdue=false", 2).await.concat().len(), 3);
    }
}

#[actix_web::test]
async fn a_last_page_that_is_exactly_full_hands_out_no_cursor() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = app.token(&w.school).await;

    // Five signals, five matches: a page of five holds them all and says there is nothing more.
    for path in ["/api/v1/signals", "/api/v1/matches"] {
        let all = app.get(&format!("{path}?limit=5"), &t).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.text);
        assert_eq!(ids(&all).len(), 5, "{path}: {}", all.text);
        assert_eq!(next(&all), None, "{path}: an exactly full last page: {}", all.text);
        let short = app.get(&format!("{path}?limit=4"), &t).await;
        assert!(next(&short).is_some(), "{path}: one more exists: {}", short.text);
    }

    // Paged through, every item comes once and the last page (full or not) ends the list.
    for limit in [1, 2, 5, 6] {
        let signals = all_pages(&app, &t, "/api/v1/signals", limit).await;
        assert_eq!(signals.len(), 5usize.div_ceil(limit), "signals by {limit}: {signals:?}");
        let mut seen = signals.concat();
        assert_eq!(seen.len(), 5);
        seen.dedup();
        assert_eq!(seen.len(), 5, "newest first, each once");
        let matches = all_pages(&app, &t, "/api/v1/matches", limit).await;
        assert_eq!(matches.concat(), w.matches, "matches by {limit}, in key order");
        let followed = all_pages(&app, &app.token(&w.matchregisseur).await, "/api/v1/matches", limit).await;
        assert_eq!(followed.concat(), w.matches, "the matchregisseur's by {limit}");
    }
}
