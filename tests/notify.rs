//! Email delivery over SMTP against a real SMTP server on loopback (aiosmtpd from PyPI, writing a Maildir): what
//! arrives, to whom, with no personal data; and nothing lost or doubled when the server is down for a while.
//!
//! Needs `python3 -m aiosmtpd`; without it these tests say so and pass, unless EENPLAN_REQUIRE_SMTP is set (as
//! .ci/run does after installing it), in which case they fail.

mod common;

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::json;

use common::smtp::{app_with_smtp, delivered, free_port, smtp_available, Delivered, SmtpServer};
use eenplan::access::Role;
use eenplan::db::schema::outbox;
use eenplan::households::bsn::synthetic;
use eenplan::notify::model::Template;
use eenplan::notify::service::deliver_due;

#[actix_web::test]
async fn match_and_break_glass_emails_arrive_with_no_personal_data() {
    if !smtp_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("eenplan-mail-{}", eenplan::db::new_id()));
    let server = SmtpServer::start(free_port(), &dir);
    let app = app_with_smtp(server.port).await;

    // Two children at one address, signalled by two organisations: an address match.
    let wijkteam = app.user(Role::Wijkteam);
    let t = app.token(&wijkteam).await;
    let h = app
        .post(
            "/api/v1/households",
            &t,
            json!({"postcode": "2719XY", "houseNumber": 77, "wijk": "Noord", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap();
    let children = [("Sofie Bakker", "2013-04-05", 70), ("Daan Bakker", "2016-09-10", 71)];
    for (name, birth, n) in children {
        let r = app
            .post(
                &format!("/api/v1/households/{household}/members"),
                &t,
                json!({"person": {"name": name, "birthDate": birth, "bsn": synthetic(n).expose()}, "relation": "child", "from": birth}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let school = app.user_in(Role::Signaller, &app.organisation("Basisschool De Linde", "other"));
    let jgz = app.user_in(Role::Signaller, &app.organisation("Jeugdgezondheidszorg", "provider"));
    let matchregisseur = app.user(Role::Matchregisseur);
    let gone = app.user(Role::Matchregisseur);
    for (who, (_, birth, n), phone) in [(&school, children[0], "079 111 11 11"), (&jgz, children[1], "079 222 22 22")] {
        let r = app
            .post(
                "/api/v1/signals",
                &app.token(who).await,
                json!({"subject": {"bsn": synthetic(n).expose(), "birthDate": birth}, "contact": {"phone": phone}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    // One matchregisseur leaves after the match was queued for them: they get nothing.
    let admin = app.user(Role::Admin);
    let off = app.post(&format!("/api/v1/users/{}/deactivate", gone.id), &app.token(&admin).await, json!({})).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text);
    // A break-glass use: the privacy officers hear of it.
    let officer = app.user(Role::PrivacyOfficer);
    let case = app.post("/api/v1/cases", &t, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let bg = app
        .post(
            "/api/v1/break-glass",
            &app.token(&outsider).await,
            json!({"caseId": case.body["id"], "reason": "acute_danger_child",
                   "justification": "De school meldt dat Sofie vandaag met verwondingen kwam en niet naar huis durft."}),
        )
        .await;
    assert_eq!(bg.status, StatusCode::CREATED, "{}", bg.text);

    let report = deliver_due(&app.state).await.unwrap();
    assert_eq!((report.sent, report.skipped, report.failed), (4, 1, 0), "{report:?}");
    let mail = delivered(&dir);
    let mut got: Vec<(String, String)> = mail.iter().map(|m| (m.to.clone(), m.subject.clone())).collect();
    got.sort();
    let mut expected = vec![
        (school.email.clone(), "eenplan: er is een match op uw signaal".to_string()),
        (jgz.email.clone(), "eenplan: er is een match op uw signaal".to_string()),
        (matchregisseur.email.clone(), "eenplan: nieuwe match".to_string()),
        (officer.email.clone(), "eenplan: noodtoegang gebruikt, uw beoordeling is nodig".to_string()),
    ];
    expected.sort();
    assert_eq!(got, expected, "the deactivated matchregisseur gets nothing");
    // Each signaller gets the other's contact details and the kind of match.
    let to_school = mail.iter().find(|m| m.to == school.email).unwrap();
    assert!(
        to_school.text.contains("079 222 22 22") && !to_school.text.contains("079 111 11 11"),
        "{}",
        to_school.text
    );
    assert!(to_school.text.contains("iemand op hetzelfde adres"));
    assert!(to_school.text.contains("https://eenplan.test/matches/"));
    let (bsn_a, bsn_b) = (synthetic(70).expose().to_string(), synthetic(71).expose().to_string());
    for m in &mail {
        // The body only: headers carry ids and dates of sending.
        let body = m.text.split_once("\n\n").map(|(_, b)| b).unwrap_or_default();
        let personal = [
            "Sofie",
            "Daan",
            "Bakker",
            "2013-04-05",
            "5 april 2013",
            "2016-09-10",
            "10 september 2016",
            "2719XY",
            "2719 XY",
            " 77",
            "Noord",
            "Jeugdwet",
            "verwondingen",
            &bsn_a,
            &bsn_b,
        ];
        for p in personal {
            assert!(!body.contains(p), "'{p}' in the email to {}:\n{}", m.to, m.text);
        }
    }
    let skipped: Vec<(String, String)> = outbox::table
        .filter(outbox::status.eq("skipped"))
        .select((outbox::recipient_user_id, outbox::last_error.assume_not_null()))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(skipped, [(gone.id.clone(), "recipient deactivated".to_string())]);
    assert_eq!(deliver_due(&app.state).await.unwrap(), Default::default(), "nothing is sent twice");

    // A message that cannot be filled in (its payload lacks the id) fails on its own; the next one is sent.
    let mut c = app.conn();
    let t = eenplan::db::now();
    eenplan::notify::store::enqueue(&mut c, &officer.id, Template::BreakGlassUsed, json!({}), t).unwrap();
    eenplan::notify::store::enqueue(&mut c, &officer.id, Template::BreakGlassUsed, json!({"breakGlassId": "x"}), t)
        .unwrap();
    let report = deliver_due(&app.state).await.unwrap();
    assert_eq!((report.sent, report.retrying), (1, 1), "{report:?}");
    let (status, attempts, error): (String, i32, Option<String>) = outbox::table
        .filter(outbox::payload.eq("{}"))
        .select((outbox::status, outbox::attempts, outbox::last_error))
        .first(&mut c)
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.unwrap().starts_with("could not be prepared"));
    server.stop();
}

#[actix_web::test]
async fn with_the_server_down_messages_wait_and_then_arrive_exactly_once() {
    if !smtp_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("eenplan-mail-{}", eenplan::db::new_id()));
    let server = SmtpServer::start(free_port(), &dir);
    let app = app_with_smtp(server.port).await;
    let officer = app.user(Role::PrivacyOfficer);
    let queue = |n: usize| {
        let mut c = app.conn();
        for i in 0..n {
            eenplan::notify::store::enqueue(
                &mut c,
                &officer.id,
                Template::BreakGlassUsed,
                json!({"breakGlassId": format!("bg-{i}-{}", eenplan::db::new_id())}),
                eenplan::db::now(),
            )
            .unwrap();
        }
    };
    queue(3);
    assert_eq!(deliver_due(&app.state).await.unwrap().sent, 3);

    // The server goes down; five more are queued and fail their first attempt.
    let (port, dir) = server.stop();
    queue(5);
    let down = deliver_due(&app.state).await.unwrap();
    assert_eq!((down.sent, down.retrying), (0, 5), "{down:?}");
    let waiting: Vec<(String, i32)> = outbox::table
        .filter(outbox::status.ne("sent"))
        .select((outbox::status, outbox::attempts))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(waiting, vec![("queued".to_string(), 1); 5]);
    // Not yet due: backing off.
    assert_eq!(deliver_due(&app.state).await.unwrap().sent, 0);

    // Back up: the worker delivers them once their retry time has come.
    let server = SmtpServer::start(port, &dir);
    let started = Instant::now();
    let mut sent = 0;
    while sent < 5 {
        assert!(started.elapsed() < Duration::from_secs(60), "not delivered after the server came back");
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        sent += deliver_due(&app.state).await.unwrap().sent;
    }
    assert_eq!(sent, 5);
    let mail = delivered(&dir);
    assert_eq!(mail.len(), 8, "every message exactly once");
    let mut links: Vec<&str> =
        mail.iter().filter_map(|m| m.text.lines().find(|l| l.contains("/noodtoegang/"))).collect();
    links.sort();
    links.dedup();
    assert_eq!(links.len(), 8, "no message twice");
    let statuses: Vec<String> = outbox::table.select(outbox::status).distinct().load(&mut app.conn()).unwrap();
    assert_eq!(statuses, ["sent"]);

    // Down again: a message on its last allowed attempt (the test allows five) is marked failed, stays visible, and
    // is not taken again.
    server.stop();
    queue(1);
    let mut c = app.conn();
    diesel::update(outbox::table.filter(outbox::status.eq("queued")))
        .set(outbox::attempts.eq(4))
        .execute(&mut c)
        .unwrap();
    let last = deliver_due(&app.state).await.unwrap();
    assert_eq!((last.failed, last.retrying), (1, 0), "{last:?}");
    let (status, attempts, error): (String, i32, Option<String>) = outbox::table
        .filter(outbox::status.ne("sent"))
        .select((outbox::status, outbox::attempts, outbox::last_error))
        .first(&mut c)
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("failed", 5));
    assert!(error.is_some_and(|e| !e.is_empty()));
    assert_eq!(deliver_due(&app.state).await.unwrap(), Default::default(), "a failed message is not retried");
}

#[actix_web::test]
async fn a_reminder_reaches_only_the_signaller_who_has_not_confirmed_and_its_link_opens_the_match() {
    if !smtp_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("eenplan-mail-{}", eenplan::db::new_id()));
    let server = SmtpServer::start(free_port(), &dir);
    let app = app_with_smtp(server.port).await;
    let t = app.token(&app.user(Role::Wijkteam)).await;
    let h = app
        .post(
            "/api/v1/households",
            &t,
            json!({"postcode": "2719XZ", "houseNumber": 78, "wijk": "Noord", "teamId": app.team_id}),
        )
        .await;
    let household = h.body["id"].as_str().unwrap();
    let children = [("Sofie Visser", "2013-04-05", 80), ("Daan Visser", "2016-09-10", 81)];
    for (name, birth, n) in children {
        let r = app
            .post(
                &format!("/api/v1/households/{household}/members"),
                &t,
                json!({"person": {"name": name, "birthDate": birth, "bsn": synthetic(n).expose()}, "relation": "child", "from": birth}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let school = app.user_in(Role::Signaller, &app.organisation("Basisschool De Linde", "other"));
    let jgz = app.user_in(Role::Signaller, &app.organisation("Jeugdgezondheidszorg", "provider"));
    let outsider = app.user_in(Role::Signaller, &app.organisation("Politie", "other"));
    let matchregisseur = app.user(Role::Matchregisseur);
    let mut match_id = String::new();
    for (who, (_, birth, n)) in [(&school, children[0]), (&jgz, children[1])] {
        let r = app
            .post(
                "/api/v1/signals",
                &app.token(who).await,
                json!({"subject": {"bsn": synthetic(n).expose(), "birthDate": birth}, "contact": {"phone": "079 333 33 33"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        if let Some(m) = r.body["matches"][0]["id"].as_str() {
            match_id = m.to_string();
        }
    }
    // The school confirms contact; the matchregisseur reminds through the web form.
    let r = app.post(&format!("/api/v1/matches/{match_id}/contact"), &app.token(&school).await, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let web = app.web_sign_in(&matchregisseur).await;
    let r = web.post(&app, &format!("/matches/{match_id}/herinneren"), &[], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    deliver_due(&app.state).await.unwrap();
    let subject = "eenplan: herinnering, bevestig uw contact bij een match";
    let mail = delivered(&dir);
    let reminders: Vec<&Delivered> = mail.iter().filter(|m| m.subject == subject).collect();
    assert_eq!(reminders.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), [jgz.email.as_str()], "only the jgz");
    let body = reminders[0].text.split_once("\n\n").map(|(_, b)| b).unwrap_or_default().to_string();
    let link = format!("https://eenplan.test/matches/{match_id}");
    assert!(body.contains(&link), "{body}");
    for p in
        ["Sofie", "Daan", "Visser", "2013", "2016", "2719", "079 333", synthetic(80).expose(), synthetic(81).expose()]
    {
        assert!(!body.contains(p), "'{p}' in the reminder:\n{body}");
    }
    // The link, followed: the match for its recipient, 404 for a signaller who is not in it.
    let path = link.strip_prefix("https://eenplan.test").unwrap();
    let page = app.web_sign_in(&jgz).await.get(&app, path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ik heb contact gehad"));
    assert_eq!(app.web_sign_in(&outsider).await.get(&app, path).await.status, StatusCode::NOT_FOUND);
    server.stop();
}
