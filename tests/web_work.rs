//! Mijn werk (`GET /`, `GET /api/v1/work`): the households by name, what is due in the panels, proposals and
//! consents ending, each count linking to its list; every role in and out of scope; every view audited.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::json;

use common::web_form::{sign_in, web};
use common::{TestApp, TestUser};
use eenplan::access::Role;

struct World {
    regisseur: TestUser,
    member: TestUser,
    lead: TestUser,
    other_lead: TestUser,
    outsider: TestUser,
    provider: TestUser,
    candidate: TestUser,
    case: String,
}

/// A household (Ouder, Kind) with an open case: `member` opened it, `regisseur` directs it with an agreed plan whose
/// actions are due yesterday, today, in 5 days and in 30 days, an evaluation due in 3 days, a consent that ends in
/// 10 days; a proposal to `candidate` waits for an answer on a second case.
async fn world(app: &TestApp) -> World {
    let member = app.user(Role::Wijkteam);
    let regisseur = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let provider = app.user(Role::Provider);
    let candidate = app.user(Role::Wijkteam);
    let (mt, lt, rt) = (app.token(&member).await, app.token(&lead).await, app.token(&regisseur).await);
    let today = Utc::now().date_naive();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let mut cases = Vec::new();
    for number in [1, 2] {
        let h = app
            .post(
                "/api/v1/households",
                &mt,
                json!({"postcode": "2712CD", "houseNumber": number, "wijk": "Meerzicht", "teamId": app.team_id}),
            )
            .await;
        assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
        let household = h.body["id"].as_str().unwrap().to_string();
        let members = format!("/api/v1/households/{household}/members");
        let p = app
            .post(
                &members,
                &mt,
                json!({"person": {"name": format!("Ouder {number}"), "birthDate": "1980-01-01"},
                "relation": "parent", "custody": true, "from": "2010-01-01"}),
            )
            .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
        let c = app
            .post(
                &members,
                &mt,
                json!({"person": {"name": format!("Kind {number}"), "birthDate": "2012-01-01"},
                "relation": "child", "from": "2012-01-01"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
        let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
        assert_eq!(case.status, StatusCode::CREATED, "{}", case.text);
        cases.push((
            case.body["id"].as_str().unwrap().to_string(),
            p.body["person"]["id"].clone(),
            c.body["person"]["id"].clone(),
        ));
    }
    let (case, parent, child) = cases[0].clone();
    let propose = |case: String, user: String| {
        let lt = lt.clone();
        async move {
            app.call(
                Method::PUT,
                &format!("/api/v1/cases/{case}/regisseur"),
                Some(&lt),
                Some(json!({"userId": user})),
                &[],
            )
            .await
        }
    };
    assert_eq!(propose(case.clone(), regisseur.id.clone()).await.status, StatusCode::CREATED);
    assert_eq!(
        app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(propose(cases[1].0.clone(), candidate.id.clone()).await.status, StatusCode::CREATED);
    let inv = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &rt,
            json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    let plans = format!("/api/v1/cases/{case}/plans");
    assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
    let action = |id: &str, text: &str, due: String| {
        json!({"id": id, "goalId": "g1", "description": text, "dueDate": due,
               "owner": {"kind": "professional", "userId": regisseur.id}})
    };
    let content = json!({"content": {
        "goals": [{"id": "g1", "domain": "financien", "description": "Grip op geld", "target": "Huur op tijd",
                   "dueDate": day(90), "status": "open"}],
        "actions": [action("a1", "Budgetplan maken", day(-1)), action("a2", "Bellen met verhuurder", day(0)),
                    action("a3", "Schuldhulp aanvragen", day(5)), action("a4", "Later werk", day(30))],
        "nextEvaluationDate": day(3)}});
    let put = app.call(Method::PUT, &format!("{plans}/1"), Some(&rt), Some(content), &[("If-Match", "\"1\"")]).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let agreement = json!({"agreement": {"memberIds": [parent], "method": "paper"}});
    let agreed =
        app.call(Method::POST, &format!("{plans}/1/agree"), Some(&rt), Some(agreement), &[("If-Match", "\"2\"")]).await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    let consent = app
        .post(
            "/api/v1/consents",
            &rt,
            json!({"caseId": case, "personId": child, "kind": "consent",
                   "givenBy": [{"personId": child, "capacity": "self"}, {"personId": parent, "capacity": "custodian"}],
                   "recipientOrganisationIds": [app.provider_org_id], "categories": ["plan"],
                   "purpose": "Afstemmen", "validFrom": today.to_string(), "validUntil": day(10)}),
        )
        .await;
    assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.text);
    World { regisseur, member, lead, other_lead, outsider, provider, candidate, case }
}

#[actix_web::test]
async fn the_start_page_names_the_households_and_shows_what_is_due() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, _) = sign_in(&app, &w.regisseur).await;
    let before = app.audit_events().len();
    let page = web(&app, Method::GET, "/", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    assert!(html.contains("Ouder 1 en Kind 1"), "named by its members: {html}");
    assert!(!html.contains("Dossier 1"));
    assert!(html.contains("2712CD 1"));
    assert!(html.contains("Regisseur"));
    assert!(html.contains(&format!("href=\"/dossiers/{}\"", w.case)));
    for (list, count) in [("te-laat", 1), ("vandaag", 1), ("binnenkort", 2)] {
        let link = format!("<a href=\"/?lijst={list}\"><span class=\"work-counts__count\">{count}</span>");
        assert!(html.contains(&link), "{list}: {count} in {html}");
    }
    assert!(html.contains("Budgetplan maken") && html.contains("Bellen met verhuurder"));
    assert!(html.contains("Schuldhulp aanvragen") && html.contains("Evaluatie van het plan"));
    assert!(!html.contains("Later werk"), "30 days away is not soon");
    assert!(html.contains("<a href=\"/?lijst=toestemmingen\"><span class=\"work-counts__count\">1</span>"));

    // The page view is audited as the list it is, with its basis and the persons it names.
    let events = app.audit_events();
    let view = events[before..].iter().find(|e| e.data.action == "case.list").expect("an audit event for the page");
    assert_eq!(view.data.outcome, "allowed");
    assert!(view.data.basis.is_some(), "with its basis");
    assert_eq!(view.data.person_ids.len(), 2, "the two members it names");

    // Each count links to its list.
    let late = web(&app, Method::GET, "/?lijst=te-laat", Some(&cookie), None).await;
    assert_eq!(late.status, StatusCode::OK);
    assert!(late.html.contains("<h1>Te laat</h1>") && late.html.contains("Budgetplan maken"));
    assert!(!late.html.contains("Bellen met verhuurder"));
    let consents = web(&app, Method::GET, "/?lijst=toestemmingen", Some(&cookie), None).await;
    assert!(consents.html.contains("Toestemming van Kind 1 loopt af"), "{}", consents.html);

    // The same data on the API.
    let token = app.token(&w.regisseur).await;
    let api = app.get("/api/v1/work", &token).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert_eq!(api.body["households"][0]["name"], "Ouder 1 en Kind 1");
    assert_eq!(api.body["households"][0]["relation"], "regisseur");
    assert_eq!(api.body["due"].as_array().unwrap().len(), 4);
    assert_eq!(api.body["consentsEnding"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_proposal_waits_on_the_candidates_start_page() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (cookie, _) = sign_in(&app, &w.candidate).await;
    let page = web(&app, Method::GET, "/", Some(&cookie), None).await;
    assert!(page.html.contains("<a href=\"/?lijst=voorstellen\"><span class=\"work-counts__count\">1</span>"));
    let list = web(&app, Method::GET, "/?lijst=voorstellen", Some(&cookie), None).await;
    assert!(list.html.contains("stelt u voor als regisseur"), "{}", list.html);
    // Not involved: nothing of the household is named.
    assert!(!list.html.contains("Ouder 2"));
}

/// Every role, in and out of scope: what each sees of the case on Mijn werk, as the API's cases list.
#[actix_web::test]
async fn every_role_sees_on_the_start_page_what_the_api_lets_it_see() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let privacy = app.user(Role::PrivacyOfficer);
    let admin = app.user(Role::Admin);
    let signaller = app.user(Role::Signaller);
    // (user, page status, the case listed, named by its members, due items shown)
    let table: Vec<(&TestUser, StatusCode, bool, bool, bool)> = vec![
        (&w.regisseur, StatusCode::OK, true, true, true),
        (&w.member, StatusCode::OK, true, true, true),
        (&w.lead, StatusCode::OK, true, false, false),
        (&w.other_lead, StatusCode::OK, false, false, false),
        (&w.outsider, StatusCode::OK, false, false, false),
        // The provider's consent covers the plan: the case is listed, nothing of the household named.
        (&w.provider, StatusCode::OK, true, false, false),
        // Roles without Mijn werk are sent to their own start page; nothing is read for them there.
        (&privacy, StatusCode::SEE_OTHER, false, false, false),
        (&admin, StatusCode::SEE_OTHER, false, false, false),
        (&signaller, StatusCode::SEE_OTHER, false, false, false),
    ];
    for (user, status, listed, named, due) in table {
        let (cookie, _) = sign_in(&app, user).await;
        let before = app.audit_events().len();
        let page = web(&app, Method::GET, "/", Some(&cookie), None).await;
        assert_eq!(page.status, status, "{:?}", user.role);
        if status == StatusCode::SEE_OTHER {
            let home = match user.role {
                Role::PrivacyOfficer => "/noodtoegang",
                Role::Admin => "/beheer",
                _ => "/signalen",
            };
            assert_eq!(page.location.as_deref(), Some(home), "{:?}", user.role);
            assert!(!app.audit_events()[before..].iter().any(|e| e.data.action == "case.list"), "{:?}", user.role);
            // The API's Mijn werk stays refused to them.
            if user.totp_secret.is_none() {
                let api = app.get("/api/v1/work", &app.token(user).await).await;
                assert_eq!(api.status, StatusCode::FORBIDDEN, "{:?}", user.role);
            }
            continue;
        }
        assert_eq!(page.html.contains(&format!("/dossiers/{}", w.case)), listed, "{:?}: listed", user.role);
        assert_eq!(page.html.contains("Ouder 1"), named, "{:?}: named", user.role);
        assert_eq!(page.html.contains("Budgetplan maken"), due, "{:?}: due", user.role);
        let events = app.audit_events();
        let event = events[before..].iter().find(|e| e.data.action == "case.list").expect("audited");
        assert_eq!(event.data.outcome, if status == StatusCode::OK { "allowed" } else { "denied" }, "{:?}", user.role);
        if status == StatusCode::OK {
            assert!(event.data.basis.is_some(), "{:?}: with its basis", user.role);
        }
        // The API agrees (a second factor's code is used once: those with one are checked on the page alone).
        if user.totp_secret.is_some() {
            continue;
        }
        let token = app.token(user).await;
        let api = app.get("/api/v1/work", &token).await;
        assert_eq!(api.status, status, "{:?}", user.role);
        if status == StatusCode::OK {
            let ids: Vec<&str> =
                api.body["households"].as_array().unwrap().iter().map(|h| h["caseId"].as_str().unwrap()).collect();
            assert_eq!(ids.contains(&w.case.as_str()), listed, "{:?}", user.role);
        }
    }
}

#[actix_web::test]
async fn without_a_session_the_start_page_asks_to_sign_in() {
    let app = TestApp::new().await;
    let page = web(&app, Method::GET, "/", None, None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/aanmelden"));
    let page = web(&app, Method::GET, "/?lijst=te-laat", Some("__Host-eenplan=nonsense"), None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

/// 18-/18+ on Mijn werk: a young member who turns 18 in exactly six months is flagged on the household, one who
/// turns 18 in six months and a day is not, nor one who is 18 today; the page says it as the API does, and only
/// those who see the household's members see it.
#[actix_web::test]
async fn a_young_member_turning_eighteen_within_six_months_is_flagged_on_mijn_werk() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mt = app.token(&w.member).await;
    let rt = app.token(&w.regisseur).await;
    let household =
        app.get(&format!("/api/v1/cases/{}", w.case), &rt).await.body["householdId"].as_str().unwrap().to_string();
    let today = eenplan::calendar::local(Utc::now()).date();
    let born = |months: u32, days: i64| {
        let birthday = today.checked_add_months(chrono::Months::new(months)).unwrap() + Duration::days(days);
        eenplan::cases::model::born_eighteen_years_before(birthday)
    };
    // Sam exactly at the boundary, unless it is a 29 February the birth year lacks (then a day inside it).
    let six = today.checked_add_months(chrono::Months::new(6)).unwrap();
    let sam = if eenplan::cases::model::eighteenth_birthday(born(6, 0)) == six { born(6, 0) } else { born(6, -1) };
    for (name, birth) in [("Sam", sam), ("Noa", born(6, 1)), ("Lex", born(0, 0))] {
        let m = app
            .post(
                &format!("/api/v1/households/{household}/members"),
                &mt,
                json!({"person": {"name": name, "birthDate": birth.to_string()}, "relation": "child", "from": "2015-01-01"}),
            )
            .await;
        assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    }
    let api = app.get("/api/v1/work", &rt).await;
    let mine = api.body["households"].as_array().unwrap().iter().find(|h| h["caseId"] == w.case.as_str()).unwrap();
    let flagged: Vec<&str> =
        mine["turningEighteen"].as_array().unwrap().iter().map(|y| y["name"].as_str().unwrap()).collect();
    let sam_turns = eenplan::cases::model::eighteenth_birthday(sam);
    assert_eq!(flagged, ["Sam"], "{}", api.text);
    assert_eq!(mine["turningEighteen"][0]["on"], sam_turns.to_string());
    let (cookie, _) = sign_in(&app, &w.regisseur).await;
    let page = web(&app, Method::GET, "/", Some(&cookie), None).await;
    assert!(page.html.contains("Sam wordt 18 op"), "{}", page.html);
    assert!(!page.html.contains("Noa wordt 18") && !page.html.contains("Lex wordt 18"));
    // And on the household's page, with the way to the plan.
    let case_page = web(&app, Method::GET, &format!("/dossiers/{}", w.case), Some(&cookie), None).await;
    assert!(case_page.html.contains("Sam wordt 18 op"), "{}", case_page.html);
    assert!(case_page.html.contains(&format!("href=\"/dossiers/{}/plan\"", w.case)));
    let (lead_cookie, _) = sign_in(&app, &w.lead).await;
    let lead_page = web(&app, Method::GET, &format!("/dossiers/{}", w.case), Some(&lead_cookie), None).await;
    assert_eq!(lead_page.status, StatusCode::OK);
    assert!(!lead_page.html.contains("wordt 18 op"), "the teamleider sees no members");
    // The teamleider sees the team's case without its members: no names, no flag.
    let lead = app.get("/api/v1/work", &app.token(&w.lead).await).await;
    let theirs = lead.body["households"].as_array().unwrap().iter().find(|h| h["caseId"] == w.case.as_str()).unwrap();
    assert!(theirs.get("turningEighteen").is_none(), "{}", lead.text);
}
