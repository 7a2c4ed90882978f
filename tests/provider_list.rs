//! A provider professional finds the cases they may see in `GET /cases` (and reads each with `GET /cases/{id}`):
//! exactly those with an active involvement and a consent or statutory basis for their organisation today, shown as
//! the consent summary. On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A case of an adult's household, opened by a wijkteam member (involved, may record consents); its ids.
struct World {
    case: String,
    person: String,
    member: TestUser,
    lead: TestUser,
}

async fn world(app: &TestApp) -> World {
    let member = app.user(Role::Wijkteam);
    let mt = app.token(&member).await;
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2716BB", "houseNumber": 8, "wijk": "Meerzicht", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &mt,
            json!({"person": {"name": "Bewoner", "birthDate": "1984-03-03"}, "relation": "parent", "from": "2010-01-01"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    let c = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Participatiewet"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    World {
        case: c.body["id"].as_str().unwrap().to_string(),
        person: m.body["person"]["id"].as_str().unwrap().to_string(),
        member,
        lead: app.user(Role::Teamleider),
    }
}

/// Involves `provider` in the case (by the teamleider); the involvement id.
async fn involve(app: &TestApp, w: &World, provider: &TestUser) -> String {
    let lt = app.token(&w.lead).await;
    let res = app
        .post(
            &format!("/api/v1/cases/{}/involvements", w.case),
            &lt,
            json!({"userId": provider.id, "roleInCase": "schuldhulp"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// Records the person's own consent for `org` (categories, window); the consent id.
async fn consent(app: &TestApp, w: &World, org: &str, categories: Value, from: NaiveDate, until: NaiveDate) -> String {
    let mt = app.token(&w.member).await;
    let res = app
        .post(
            "/api/v1/consents",
            &mt,
            json!({"caseId": w.case, "personId": w.person, "kind": "consent",
                   "givenBy": [{"personId": w.person, "capacity": "self"}],
                   "recipientOrganisationIds": [org], "categories": categories, "purpose": "Afstemmen",
                   "validFrom": from.to_string(), "validUntil": until.to_string()}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// The case ids in the provider's list, and the provider's read of the case (status, body).
async fn sight(app: &TestApp, w: &World, provider: &TestUser) -> (Vec<String>, StatusCode, Value) {
    let token = app.token(provider).await;
    let list = app.get("/api/v1/cases", &token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let ids = list.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    let one = app.get(&format!("/api/v1/cases/{}", w.case), &token).await;
    (ids, one.status, one.body)
}

#[derive(Debug, Clone, Copy)]
enum Situation {
    /// Involved, with a consent for their organisation today.
    Consent,
    /// Involved, no consent.
    NoConsent,
    /// Involved; the consent was withdrawn after the provider had seen the case.
    Withdrawn,
    /// Involved; the consent ended yesterday.
    Expired,
    /// Involved, from another organisation than the one the consent names.
    OtherOrganisation,
    /// The consent holds, but the provider's involvement was ended.
    InvolvementEnded,
    /// Not involved, though the consent names their organisation.
    NotInvolved,
}

#[actix_web::test]
async fn a_provider_lists_exactly_the_cases_its_consent_covers() {
    use Situation::*;
    let table = [
        (Consent, true),
        (NoConsent, false),
        (Withdrawn, false),
        (Expired, false),
        (OtherOrganisation, false),
        (InvolvementEnded, false),
        (NotInvolved, false),
    ];
    let mut failures = Vec::new();
    for (situation, expected) in table {
        let app = TestApp::new().await;
        let w = world(&app).await;
        let other_org = app.organisation("Andere Aanbieder", "provider");
        let provider = match situation {
            OtherOrganisation => app.user_in(Role::Provider, &other_org),
            _ => app.user(Role::Provider),
        };
        let involvement = match situation {
            NotInvolved => None,
            _ => Some(involve(&app, &w, &provider).await),
        };
        let year = today() + Duration::days(365);
        match situation {
            NoConsent => {}
            Expired => {
                consent(
                    &app,
                    &w,
                    &app.provider_org_id,
                    json!(["plan"]),
                    today() - Duration::days(30),
                    today() - Duration::days(1),
                )
                .await;
            }
            _ => {
                let id = consent(&app, &w, &app.provider_org_id, json!(["plan"]), today(), year).await;
                if let Withdrawn = situation {
                    // Seen before the withdrawal; gone on the next request.
                    let (ids, status, _) = sight(&app, &w, &provider).await;
                    assert!(ids.contains(&w.case) && status == StatusCode::OK, "{situation:?} before withdrawal");
                    let mt = app.token(&w.member).await;
                    let res = app.post(&format!("/api/v1/consents/{id}/withdraw"), &mt, json!({})).await;
                    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
                }
                if let InvolvementEnded = situation {
                    let (ids, _, _) = sight(&app, &w, &provider).await;
                    assert!(ids.contains(&w.case), "{situation:?} before the end");
                    let lt = app.token(&w.lead).await;
                    let path = format!("/api/v1/cases/{}/involvements/{}/end", w.case, involvement.clone().unwrap());
                    let res = app.post(&path, &lt, json!({})).await;
                    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
                }
            }
        }
        let (ids, status, body) = sight(&app, &w, &provider).await;
        let listed = ids.contains(&w.case);
        if listed != expected || (status == StatusCode::OK) != expected {
            failures.push(format!("{situation:?}: listed {listed}, read {status}, expected {expected}"));
            continue;
        }
        if expected {
            assert_eq!(body["view"], "consent", "{situation:?}");
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{situation:?}");
            let event = app.audit_events().into_iter().next_back().unwrap();
            assert_eq!(event.data.outcome, "denied", "{situation:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[actix_web::test]
async fn the_consent_summary_shows_what_the_consent_covers() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let provider = app.user(Role::Provider);
    involve(&app, &w, &provider).await;
    let until = today() + Duration::days(90);
    let plan_consent = consent(&app, &w, &app.provider_org_id, json!(["plan", "zrm"]), today(), until).await;
    let token = app.token(&provider).await;
    let list = app.get("/api/v1/cases", &token).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.text);
    for (what, case) in
        [("list", items[0].clone()), ("read", app.get(&format!("/api/v1/cases/{}", w.case), &token).await.body)]
    {
        assert_eq!(case["id"], w.case.as_str(), "{what}");
        assert_eq!(case["view"], "consent", "{what}");
        assert_eq!(case["state"], "registered", "{what}");
        assert_eq!(case["coveredCategories"], json!(["plan", "zrm"]), "{what}");
        // Not covered by a consent for the plan and assessments: the laws, the household, who is involved.
        for hidden in ["laws", "householdId", "stateHistory", "involvedProfessionals", "involvedOrganisations"] {
            assert!(case.get(hidden).is_none(), "{what}: {hidden} shown: {case}");
        }
    }
    let read = app.audit_events().into_iter().next_back().unwrap();
    assert_eq!(read.data.action, "case.read");
    assert_eq!(read.data.basis_kind().as_deref(), Some("consent"));
    assert_eq!(read.data.basis_id(), Some(plan_consent.as_str()));
    // With basic details covered as well, the counts of those involved (as on the contact sheet).
    consent(&app, &w, &app.provider_org_id, json!(["basic"]), today(), until).await;
    let case = app.get(&format!("/api/v1/cases/{}", w.case), &token).await.body;
    assert_eq!(case["coveredCategories"], json!(["basic", "plan", "zrm"]));
    assert_eq!(case["involvedProfessionals"], 2);
    assert_eq!(case["involvedOrganisations"], 2);
    // Those in the team still see the full summary.
    let mt = app.token(&w.member).await;
    let mine = app.get("/api/v1/cases", &mt).await;
    assert_eq!(mine.body["items"][0]["view"], "summary");
    assert_eq!(mine.body["items"][0]["laws"], json!(["Participatiewet"]));
    assert!(mine.body["items"][0].get("coveredCategories").is_none());
}

#[actix_web::test]
async fn pages_of_a_providers_list_skip_what_the_single_case_rule_refuses() {
    // Five cases with a provider involvement and a consent for its organisation; those of the 2nd and 4th (in id
    // order) do not suffice, which only the single-case rule sees (the SQL filter lets them through). Every page
    // with a cursor is full, and the cursor walks exactly the three visible ones.
    let app = TestApp::new().await;
    let provider = app.user(Role::Provider);
    let mut visible = Vec::new();
    let mut worlds = Vec::new();
    for _ in 0..5 {
        worlds.push(world(&app).await);
    }
    worlds.sort_by(|a, b| a.case.cmp(&b.case));
    for (i, w) in worlds.iter().enumerate() {
        involve(&app, w, &provider).await;
        let id = consent(&app, w, &app.provider_org_id, json!(["plan"]), today(), today() + Duration::days(30)).await;
        if i % 2 == 1 {
            // The consent is recorded as given by someone other than the person: it does not suffice for an adult.
            app.backend_sql(
                &format!("UPDATE consents SET givers = '[]' WHERE id = '{id}'"),
                &format!("UPDATE consents SET givers = '[]' WHERE id = '{id}'"),
            );
        } else {
            visible.push(w.case.clone());
        }
    }
    let token = app.token(&provider).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/cases?limit=1&after={a}"),
            None => "/api/v1/cases?limit=1".to_string(),
        };
        let page = app.get(&path, &token).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let items = page.body["items"].as_array().unwrap();
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match page.body["next"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), 1, "a page with a cursor is full");
                after = Some(next.to_string());
            }
            None => break,
        }
        assert!(seen.len() <= 5, "the cursor must advance");
    }
    assert_eq!(seen, visible);
}
