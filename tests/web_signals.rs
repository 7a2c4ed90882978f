//! The signaller's and the matchregisseur's screens, on SQLite and PostgreSQL: registering a signal (no free text, no
//! BSN in a URL or an audit event, every error at once, the match it makes), "Mijn signalen" and removing one, "Mijn
//! matches" with the others' contacts and confirming contact, the matchregisseur's follow-up (overdue first, no person,
//! no contact details) and the reminder (`POST /api/v1/matches/{id}/remind`: exactly the unconfirmed members' emails,
//! once a day); every role × every page and form, in and out of scope, every view audited.

mod common;

use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use common::pages::WebSession;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::db::schema::{match_members, outbox};
use eenplan::households::bsn::synthetic;

fn born(years: i32) -> NaiveDate {
    let t = Utc::now().date_naive();
    NaiveDate::from_ymd_opt(t.year() - years, t.month(), t.day().min(28)).unwrap() - Duration::days(5)
}

struct Person {
    bsn: String,
    birth: NaiveDate,
}

struct World {
    /// The second of two children at one address: the school signalled the first, so signalling this one (another
    /// organisation) makes an address match.
    second: Person,
    /// A child elsewhere, in no match.
    alone: Person,
    /// Signaller A (school) signalled `first` through the API; B (youth health care) signals `second` on the web.
    school: TestUser,
    jgz: TestUser,
    /// A signaller of a third organisation, in no match.
    police: TestUser,
    matchregisseur: TestUser,
    /// The school's signal on `first`.
    school_signal: String,
}

async fn household(app: &TestApp, token: &str, postcode: &str) -> String {
    let h = app
        .post(
            "/api/v1/households",
            token,
            json!({"postcode": postcode, "houseNumber": 8, "wijk": "Centrum", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    h.body["id"].as_str().unwrap().to_string()
}

async fn member(app: &TestApp, token: &str, household: &str, n: u32, name: &str, birth: NaiveDate) -> Person {
    let bsn = synthetic(n).expose().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            token,
            json!({"person": {"name": name, "birthDate": birth, "bsn": bsn}, "relation": "child", "from": birth}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    Person { bsn, birth }
}

async fn world(app: &TestApp) -> World {
    let t = app.token(&app.user(Role::Wijkteam)).await;
    let a = household(app, &t, "2716BB").await;
    let first = member(app, &t, &a, 71, "Lotte Smit", born(12)).await;
    let second = member(app, &t, &a, 72, "Milan Smit", born(9)).await;
    let b = household(app, &t, "2717CC").await;
    let alone = member(app, &t, &b, 73, "Noor Bakker", born(15)).await;
    let school = app.user_in(Role::Signaller, &app.organisation("Basisschool De Regenboog", "other"));
    let jgz = app.user_in(Role::Signaller, &app.organisation("GGD Jeugdgezondheidszorg", "provider"));
    let police = app.user_in(Role::Signaller, &app.organisation("Politie", "other"));
    let r = app
        .post(
            "/api/v1/signals",
            &app.token(&school).await,
            json!({"subject": {"bsn": first.bsn, "birthDate": first.birth},
                   "contact": {"phone": "079 346 00 11", "email": "ib@school.example.nl"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let school_signal = r.body["id"].as_str().unwrap().to_string();
    World { second, alone, school, jgz, police, matchregisseur: app.user(Role::Matchregisseur), school_signal }
}

fn date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// Signals `p` through the form, as `web`.
async fn signal_on_web(app: &TestApp, web: &WebSession, p: &Person) -> common::pages::Answer {
    web.post(
        app,
        "/signalen/nieuw",
        &[("bsn", &p.bsn), ("birthDate", &date(p.birth)), ("name", ""), ("phone", "079 346 00 22"), ("email", "")],
        None,
    )
    .await
}

async fn matches_of(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let r = app.get("/api/v1/matches", &app.token(user).await).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

/// Every audit event since `before`, as text: to look for what must not be there.
fn events_text(app: &TestApp, before: usize) -> String {
    app.audit_events()[before..].iter().map(|e| format!("{:?}", e.data)).collect::<Vec<_>>().join("\n")
}

#[actix_web::test]
async fn registering_on_the_web_says_only_that_makes_the_match_and_leaves_no_bsn_in_a_url_or_the_audit_log() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let web = app.web_sign_in(&w.jgz).await;
    let form = web.get(&app, "/signalen/nieuw").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("alleen vast dát u bij deze jongere betrokken bent. Niet waarom."), "{}", form.body);
    // No free text: no textarea, and the only text inputs are the person's and the signaller's own details.
    assert!(!form.body.contains("<textarea"));
    let at = form.body.find(r#"action="/signalen/nieuw""#).expect("the form");
    let the_form = &form.body[at..at + form.body[at..].find("</form>").unwrap()];
    let names: Vec<&str> = the_form.split("name=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert_eq!(names, ["csrf", "bsn", "birthDate", "name", "phone", "email"], "the form's fields");
    assert!(form.body.contains(r#"method="post" action="/signalen/nieuw""#));

    let before = app.audit_events().len();
    let done = signal_on_web(&app, &web, &w.second).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.unwrap();
    assert!(location.starts_with("/signalen/") && location.ends_with("/geregistreerd"), "{location}");
    assert!(!location.contains(&w.second.bsn));
    let result = web.get(&app, &location).await;
    assert_eq!(result.status, StatusCode::OK);
    assert!(result.body.contains("Er is een match"), "{}", result.body);
    assert!(!result.body.contains(&w.second.bsn), "no BSN on the result page");
    let mine = matches_of(&app, &w.jgz).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["kind"], "address");
    let id = mine[0]["id"].as_str().unwrap();
    assert!(result.body.contains(&format!(r#"href="/matches/{id}""#)), "links to the match");
    let audit = events_text(&app, before);
    assert!(audit.contains("signal.create"), "the registration is audited: {audit}");
    assert!(!audit.contains(&w.second.bsn), "no BSN in an audit event");

    // The same person again: the organisation has an active signal; the form says so, keeps the input, changes nothing.
    let again = signal_on_web(&app, &web, &w.second).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Uw organisatie heeft al een actief signaal over deze persoon."), "{}", again.body);
    assert!(again.body.contains(r##"href="#veld-subject-bsn""##));
    assert!(again.body.contains("079 346 00 22"), "the input is kept");
    let signals = app.get("/api/v1/signals", &app.token(&w.jgz).await).await;
    assert_eq!(signals.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_form_names_every_error_at_once_keeps_the_input_and_registers_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let web = app.web_sign_in(&w.police).await;
    let r = web
        .post(
            &app,
            "/signalen/nieuw",
            &[("bsn", "12345"), ("birthDate", ""), ("name", ""), ("phone", "bel me"), ("email", "geen-adres")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Er zijn 4 fouten in het formulier"), "{}", r.body);
    for anchor in ["#veld-subject-bsn", "#veld-subject-birthDate", "#veld-contact-phone", "#veld-contact-email"] {
        assert!(r.body.contains(&format!(r#"href="{anchor}""#)), "{anchor}: {}", r.body);
    }
    assert!(r.body.contains(r#"value="bel me""#) && r.body.contains(r#"value="geen-adres""#), "input kept");
    assert!(r.body.contains("Een BSN heeft 9 cijfers.") && r.body.contains("Vul een e-mailadres in"), "{}", r.body);
    // No contact at all, and an unreadable date: both named.
    let r = web
        .post(
            &app,
            "/signalen/nieuw",
            &[("bsn", &w.alone.bsn), ("birthDate", "31-02-2015"), ("phone", ""), ("email", "")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r##"href="#veld-contact""##), "{}", r.body);
    assert!(r.body.contains("Vul een telefoonnummer of een e-mailadres in, of allebei."), "in Dutch");
    assert!(r.body.contains("Vul een geldige datum in"), "{}", r.body);
    // A birth date that does not agree with the person eenplan knows.
    let r = web
        .post(
            &app,
            "/signalen/nieuw",
            &[("bsn", &w.alone.bsn), ("birthDate", &date(w.alone.birth - Duration::days(1))), ("phone", "0612345678")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r##"href="#veld-subject-birthDate""##), "{}", r.body);
    assert!(r.body.contains("Deze geboortedatum hoort niet bij dit BSN."), "{}", r.body);
    let signals = app.get("/api/v1/signals", &app.token(&w.police).await).await;
    assert!(signals.body["items"].as_array().unwrap().is_empty(), "nothing registered");
    // Without the CSRF token: 403, nothing registered.
    let r = web
        .post(
            &app,
            "/signalen/nieuw",
            &[("bsn", &w.alone.bsn), ("birthDate", &date(w.alone.birth)), ("phone", "0612345678")],
            Some("-"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let signals = app.get("/api/v1/signals", &app.token(&w.police).await).await;
    assert!(signals.body["items"].as_array().unwrap().is_empty(), "nothing registered");
}

#[actix_web::test]
async fn my_signals_show_the_end_date_and_removing_asks_a_reason_and_removes() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let web = app.web_sign_in(&w.school).await;
    let list = web.get(&app, "/signalen").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Lotte Smit"), "{}", list.body);
    let api = app.get("/api/v1/signals", &app.token(&w.school).await).await;
    let expires: NaiveDate = api.body["items"][0]["expiresOn"].as_str().unwrap().parse().unwrap();
    let last_day = expires - Duration::days(1);
    let months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let dutch = format!("{} {} {}", last_day.day(), months[last_day.month0() as usize], last_day.year());
    assert!(list.body.contains(&dutch), "the last active day, {dutch}: {}", list.body);
    let path = format!("/signalen/{}/verwijderen", w.school_signal);
    assert!(list.body.contains(&format!(r#"href="{path}""#)));

    let confirm = web.get(&app, &path).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Waarom verwijdert u het signaal?"));
    // No reason: named, nothing removed.
    let r = web.post(&app, &path, &[], None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r##"href="#veld-reason""##), "{}", r.body);
    let api = app.get("/api/v1/signals", &app.token(&w.school).await).await;
    assert_eq!(api.body["items"][0]["status"], "active");
    // Someone else's signal: 404, for the page and the form alike.
    let police = app.web_sign_in(&w.police).await;
    assert_eq!(police.get(&app, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(police.post(&app, &path, &[("reason", "unjustified")], None).await.status, StatusCode::NOT_FOUND);

    let r = web.post(&app, &path, &[("reason", "risk_gone")], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/signalen?gedaan=gearchiveerd"));
    let api = app.get("/api/v1/signals", &app.token(&w.school).await).await;
    assert_eq!(api.body["items"][0]["status"], "archived");
    let list = web.get(&app, "/signalen?gedaan=gearchiveerd").await;
    assert!(list.body.contains("U heeft nu geen actieve signalen."), "{}", list.body);
    assert!(list.body.contains("wordt bewaard in het archief"));
}

#[actix_web::test]
async fn my_matches_give_the_others_contacts_and_confirming_contact_is_recorded() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let jgz = app.web_sign_in(&w.jgz).await;
    assert_eq!(signal_on_web(&app, &jgz, &w.second).await.status, StatusCode::SEE_OTHER);
    let school = app.web_sign_in(&w.school).await;
    let list = school.get(&app, "/matches").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("GGD Jeugdgezondheidszorg") && list.body.contains("079 346 00 22"), "{}", list.body);
    assert!(!list.body.contains("Lotte Smit") && !list.body.contains("Milan Smit"), "no person in a match");
    let id = matches_of(&app, &w.school).await[0]["id"].as_str().unwrap().to_string();
    let page = school.get(&app, &format!("/matches/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ik heb contact gehad"));
    // Another signaller's match: 404, the page and the button alike; nothing confirmed.
    let police = app.web_sign_in(&w.police).await;
    assert_eq!(police.get(&app, &format!("/matches/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(police.post(&app, &format!("/matches/{id}/contact"), &[], None).await.status, StatusCode::NOT_FOUND);
    assert!(!police.get(&app, "/matches").await.body.contains(&id));

    let r = school.post(&app, &format!("/matches/{id}/contact"), &[], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, Some(format!("/matches/{id}?gedaan=contact")));
    let m = matches_of(&app, &w.school).await;
    let own = m[0]["members"].as_array().unwrap().iter().find(|x| x["own"] == true).unwrap();
    assert!(own["contactConfirmedAt"].is_string(), "confirmed: {own}");
    let page = school.get(&app, &format!("/matches/{id}?gedaan=contact")).await;
    assert!(page.body.contains("U heeft bevestigd dat u contact heeft gehad."));
    assert!(!page.body.contains("Ik heb contact gehad</button>") && !page.body.contains(r#"/contact" class"#));
}

/// Makes the match's members have joined `days` ago.
fn joined_days_ago(app: &TestApp, match_id: &str, days: i64) {
    diesel::update(match_members::table.filter(match_members::match_id.eq(match_id)))
        .set(match_members::joined_at.eq(eenplan::db::now() - Duration::days(days)))
        .execute(&mut app.conn())
        .unwrap();
}

fn reminders(app: &TestApp) -> Vec<(String, String)> {
    let mut r: Vec<(String, String)> = outbox::table
        .filter(outbox::template.eq("match_reminder"))
        .select((outbox::recipient_user_id, outbox::payload))
        .load(&mut app.conn())
        .unwrap();
    r.sort();
    r
}

#[actix_web::test]
async fn the_matchregisseur_sees_overdue_first_no_person_no_contacts_and_reminds_exactly_the_unconfirmed_once_a_day() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // An address match (school + jgz), and a person match on `alone` (police + jgz) that waited three weeks.
    let jgz = app.web_sign_in(&w.jgz).await;
    assert_eq!(signal_on_web(&app, &jgz, &w.second).await.status, StatusCode::SEE_OTHER);
    let police = app.web_sign_in(&w.police).await;
    let first = signal_on_web(&app, &police, &w.alone).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let result = police.get(&app, &first.location.unwrap()).await;
    assert!(result.body.contains("Geen match") && !result.body.contains("href=\"/matches/"), "{}", result.body);
    assert_eq!(signal_on_web(&app, &jgz, &w.alone).await.status, StatusCode::SEE_OTHER);
    let address = matches_of(&app, &w.school).await[0]["id"].as_str().unwrap().to_string();
    let person = matches_of(&app, &w.police).await[0]["id"].as_str().unwrap().to_string();
    joined_days_ago(&app, &person, 21);
    // The police has confirmed in the overdue match; the jgz has not.
    assert_eq!(police.post(&app, &format!("/matches/{person}/contact"), &[], None).await.status, StatusCode::SEE_OTHER);

    let web = app.web_sign_in(&w.matchregisseur).await;
    let list = web.get(&app, "/matches").await;
    assert_eq!(list.status, StatusCode::OK);
    let (at_person, at_address) = (
        list.body.find(&format!("/matches/{person}\"")).unwrap(),
        list.body.find(&format!("/matches/{address}\"")).unwrap(),
    );
    assert!(at_person < at_address, "overdue first");
    assert!(list.body.contains("Te laat:"));
    for secret in [
        "079 346 00 22",
        "079 346 00 11",
        "ib@school.example.nl",
        "Lotte Smit",
        "Milan Smit",
        "Noor Bakker",
        &w.alone.bsn,
    ] {
        assert!(!list.body.contains(secret), "the matchregisseur sees no {secret}");
    }
    assert!(list.body.contains("Politie") && list.body.contains("Nog niet") && list.body.contains("Ja, op"));
    let page = web.get(&app, &format!("/matches/{person}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("079 346 00 22") && !page.body.contains("Noor Bakker"));

    // The reminder: exactly the unconfirmed member (the jgz) of this match.
    let before = app.audit_events().len();
    let r = web.post(&app, &format!("/matches/{person}/herinneren"), &[], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, Some(format!("/matches/{person}?gedaan=herinnerd")));
    let payload = json!({"matchId": person}).to_string();
    assert_eq!(reminders(&app), vec![(w.jgz.id.clone(), payload.clone())]);
    let events = app.audit_events();
    let remind = events[before..].iter().find(|e| e.data.action == "match.remind").expect("audited");
    assert_eq!(remind.data.outcome, "allowed");
    assert_eq!(remind.data.resource_id.as_deref(), Some(person.as_str()));
    // Again the same day: refused with a clear message, nothing more queued.
    let again = web.post(&app, &format!("/matches/{person}/herinneren"), &[], None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("al een herinnering verstuurd"), "{}", again.body);
    assert_eq!(reminders(&app).len(), 1);
    // The address match: both school and jgz unconfirmed, two emails, through the API.
    let api =
        app.post(&format!("/api/v1/matches/{address}/remind"), &app.token(&w.matchregisseur).await, json!({})).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert_eq!(api.body["queued"], 2);
    assert!(api.body.to_string().find("079").is_none(), "no contact details: {}", api.body);
    let address_payload = json!({"matchId": address}).to_string();
    let mut expected = vec![
        (w.jgz.id.clone(), payload),
        (w.jgz.id.clone(), address_payload.clone()),
        (w.school.id.clone(), address_payload),
    ];
    expected.sort();
    assert_eq!(reminders(&app), expected);
    // A match where everyone has confirmed: nothing to remind.
    let school = app.web_sign_in(&w.school).await;
    school.post(&app, &format!("/matches/{address}/contact"), &[], None).await;
    jgz.post(&app, &format!("/matches/{address}/contact"), &[], None).await;
    diesel::delete(outbox::table.filter(outbox::template.eq("match_reminder"))).execute(&mut app.conn()).unwrap();
    let none = web.post(&app, &format!("/matches/{address}/herinneren"), &[], None).await;
    assert_eq!(none.status, StatusCode::CONFLICT);
    assert!(none.body.contains("Iedereen in deze match heeft al bevestigd"), "{}", none.body);
    assert!(reminders(&app).is_empty());
    // No such match: 404.
    let r = web.post(&app, "/matches/00000000-0000-0000-0000-000000000000/herinneren", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The API alike: no such match 404, every role but the matchregisseur 403.
    let missing = "/api/v1/matches/00000000-0000-0000-0000-000000000000/remind";
    assert_eq!(app.post(missing, &app.token(&w.matchregisseur).await, json!({})).await.status, StatusCode::NOT_FOUND);
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Matchregisseur) {
        let user = app.user(role);
        let r = app.post(&format!("/api/v1/matches/{person}/remind"), &app.token(&user).await, json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    assert_eq!(reminders(&app).len(), 0, "nothing queued by a refusal");
}

#[actix_web::test]
async fn every_role_gets_the_apis_answer_on_each_page_and_form_and_every_view_is_audited() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let jgz = app.web_sign_in(&w.jgz).await;
    assert_eq!(signal_on_web(&app, &jgz, &w.second).await.status, StatusCode::SEE_OTHER);
    let m = matches_of(&app, &w.school).await[0]["id"].as_str().unwrap().to_string();
    let s = &w.school_signal;
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Who {
        Owner,
        Role(Role),
    }
    let mut actors = vec![Who::Owner];
    actors.extend(Role::ALL.into_iter().map(Who::Role));
    for who in actors {
        let user = match who {
            Who::Owner => w.school.clone(),
            Who::Role(role) => app.user(role),
        };
        let signals_ok = matches!(who, Who::Owner | Who::Role(Role::Signaller) | Who::Role(Role::Wijkteam));
        let follower = who == Who::Role(Role::Matchregisseur);
        let ok_or_403 = |ok: bool| if ok { StatusCode::OK } else { StatusCode::FORBIDDEN };
        // Another signaller's signal or match: 404; a role without the act: 403.
        let own = |ok: bool| match (who, ok) {
            (Who::Owner, _) => StatusCode::OK,
            (_, true) => StatusCode::NOT_FOUND,
            (_, false) => StatusCode::FORBIDDEN,
        };
        let pages = [
            ("/signalen".to_string(), ok_or_403(signals_ok)),
            ("/signalen/nieuw".to_string(), ok_or_403(signals_ok)),
            (format!("/signalen/{s}/geregistreerd"), own(signals_ok)),
            (format!("/signalen/{s}/verwijderen"), own(signals_ok)),
            ("/matches".to_string(), ok_or_403(signals_ok || follower)),
            (format!("/matches/{m}"), if follower { StatusCode::OK } else { own(signals_ok) }),
        ];
        let web = app.web_sign_in(&user).await;
        for (path, expected) in pages {
            let before = app.audit_events().len();
            let page = web.get(&app, &path).await;
            assert_eq!(page.status, expected, "{who:?}: {path}");
            let events = app.audit_events();
            let mine: Vec<_> =
                events[before..].iter().filter(|e| e.data.user_id.as_deref() == Some(user.id.as_str())).collect();
            if path == "/signalen/nieuw" {
                // The empty form is no act: the request is logged as such, never as a `signal.create` before one
                // is sent.
                assert!(
                    !mine.is_empty() && mine.iter().all(|e| e.data.action != "signal.create"),
                    "{who:?}: {path}: {:?}",
                    mine.iter().map(|e| &e.data.action).collect::<Vec<_>>()
                );
                continue;
            }
            let event = mine.last().unwrap_or_else(|| panic!("{who:?}: {path}: no audit event"));
            if page.status == StatusCode::OK {
                assert_eq!(event.data.outcome, "allowed", "{who:?}: {path}");
                assert!(event.data.basis.is_some(), "{who:?}: {path}: the basis is recorded");
            } else {
                assert_ne!(event.data.outcome, "allowed", "{who:?}: {path}");
            }
        }
        // The forms, with what changes nothing for those who may (an empty reason; another's match).
        let forms = [
            (
                format!("/signalen/{s}/verwijderen"),
                match (who, signals_ok) {
                    (Who::Owner, _) => StatusCode::UNPROCESSABLE_ENTITY,
                    (_, true) => StatusCode::NOT_FOUND,
                    _ => StatusCode::FORBIDDEN,
                },
            ),
            (
                "/signalen/nieuw".to_string(),
                if signals_ok { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::FORBIDDEN },
            ),
            (format!("/matches/{m}/herinneren"), if follower { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN }),
        ];
        for (path, expected) in forms {
            let r = web.post(&app, &path, &[], None).await;
            assert_eq!(r.status, expected, "{who:?}: POST {path}");
        }
        // Confirming contact: the owner may (last, so that the match stays unconfirmed for the others above).
        let contact = web.post(&app, &format!("/matches/{m}/contact"), &[], None).await;
        let expected = match (who, signals_ok) {
            (Who::Owner, _) => StatusCode::SEE_OTHER,
            (_, true) => StatusCode::NOT_FOUND,
            _ => StatusCode::FORBIDDEN,
        };
        assert_eq!(contact.status, expected, "{who:?}: POST contact");
        if who == Who::Owner {
            // Put it back, for the roles after.
            diesel::update(match_members::table.filter(match_members::match_id.eq(&m)))
                .set(match_members::contact_confirmed_at.eq(None::<chrono::NaiveDateTime>))
                .execute(&mut app.conn())
                .unwrap();
        }
    }
}
