//! Every role × every endpoint of households, persons, cases and plans × (in scope, out of scope) → the expected
//! status, on SQLite and on PostgreSQL. Each cell runs against a freshly built world, so no cell depends on what
//! another did; a refused call must leave every table as it was and be audited as denied.

mod common;

use actix_web::http::{Method, StatusCode};
use diesel::prelude::*;
use serde_json::{json, Value};

use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::households::bsn::synthetic;

/// Who calls, by their relation to the world's case.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Actor {
    /// Wijkteam member who is the case's active regisseur.
    Regisseur,
    /// Wijkteam member involved in the case (opened it), not the regisseur.
    Member,
    /// Wijkteam member of the same team, not involved.
    Colleague,
    /// Teamleider of the case's team.
    Lead,
    /// Teamleider of another team.
    OtherLead,
    /// Provider professional involved in the case.
    ProviderInvolved,
    /// Provider professional not involved.
    ProviderOutside,
    /// Roles with no part in households or cases.
    Other(Role),
}

const ACTORS: [Actor; 12] = [
    Actor::Regisseur,
    Actor::Member,
    Actor::Colleague,
    Actor::Lead,
    Actor::OtherLead,
    Actor::ProviderInvolved,
    Actor::ProviderOutside,
    Actor::Other(Role::Signaller),
    Actor::Other(Role::Matchregisseur),
    Actor::Other(Role::Procescoordinator),
    Actor::Other(Role::PrivacyOfficer),
    Actor::Other(Role::Admin),
];

/// A household with two members and an open case: `member` opened it, `regisseur` directs it, a provider is
/// involved, a second household of the team has no case yet. `close` closes the case first; `handover` leaves a
/// proposal to `colleague` pending.
struct World {
    member: TestUser,
    regisseur: TestUser,
    colleague: TestUser,
    lead: TestUser,
    other_lead: TestUser,
    provider_in: TestUser,
    provider_out: TestUser,
    spare: TestUser,
    household: String,
    empty_household: String,
    parent: String,
    child: String,
    first_membership: String,
    case: String,
    case_etag: String,
    provider_involvement: String,
    bsn: String,
}

#[derive(Clone, Copy)]
enum Setup {
    Plain,
    Closed,
    Handover,
    /// An agreed plan (version 1: one goal, an action of the regisseur and one of the involved provider) and a
    /// draft (version 2) started from it.
    Plan,
}

async fn world(app: &TestApp, setup: Setup) -> World {
    let member = app.user(Role::Wijkteam);
    let regisseur = app.user(Role::Wijkteam);
    let colleague = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let provider_in = app.user(Role::Provider);
    let provider_out = app.user(Role::Provider);
    let spare = app.user(Role::Wijkteam);
    let (mt, lt, rt) = (app.token(&member).await, app.token(&lead).await, app.token(&regisseur).await);
    let new_household = |n: i32| {
        let (app, mt) = (app, mt.clone());
        async move {
            let h = app
                .post(
                    "/api/v1/households",
                    &mt,
                    json!({"postcode": "2712CD", "houseNumber": n, "wijk": "Meerzicht", "teamId": app.team_id}),
                )
                .await;
            assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
            h.body["id"].as_str().unwrap().to_string()
        }
    };
    let household = new_household(1).await;
    let empty_household = new_household(2).await;
    let n = app.audit_events().len() as u32;
    let bsn = synthetic(n % 5000).expose().to_string();
    let members_path = format!("/api/v1/households/{household}/members");
    let add = |body: Value| app.post(&members_path, &mt, body);
    let p = add(json!({"person": {"name": "Ouder", "birthDate": "1980-01-01", "bsn": bsn}, "relation": "parent", "custody": true, "from": "2010-01-01"})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let c =
        add(json!({"person": {"name": "Kind", "birthDate": "2012-01-01"}, "relation": "child", "from": "2012-01-01"}))
            .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let case = case.body["id"].as_str().unwrap().to_string();
    let proposed = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{case}/regisseur"),
            Some(&lt),
            Some(json!({"userId": regisseur.id})),
            &[],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text);
    assert_eq!(
        app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await.status,
        StatusCode::OK
    );
    let inv = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &rt,
            json!({"userId": provider_in.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    match setup {
        Setup::Plain => {}
        Setup::Closed => {
            let r = app
                .call(
                    Method::POST,
                    &format!("/api/v1/cases/{case}/state"),
                    Some(&rt),
                    Some(json!({"state": "closed", "closeReason": "goal_reached"})),
                    &[("If-Match", "\"1\"")],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        Setup::Plan => {
            let plans = format!("/api/v1/cases/{case}/plans");
            assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
            let parent = p.body["person"]["id"].as_str().unwrap();
            let content = json!({"content": {
                "goals": [{"id": "g1", "domain": "financien", "description": "Grip op geld", "target": "Huur op tijd",
                           "dueDate": "2027-06-01", "status": "open"}],
                "actions": [
                    {"id": "a1", "goalId": "g1", "description": "Budgetplan", "dueDate": "2027-01-01",
                     "owner": {"kind": "professional", "userId": regisseur.id}},
                    {"id": "a2", "goalId": "g1", "description": "Gesprekken", "dueDate": "2027-01-01",
                     "owner": {"kind": "professional", "userId": provider_in.id}}],
                "nextEvaluationDate": "2027-03-01"}});
            let put =
                app.call(Method::PUT, &format!("{plans}/1"), Some(&rt), Some(content), &[("If-Match", "\"1\"")]).await;
            assert_eq!(put.status, StatusCode::OK, "{}", put.text);
            let agreement = json!({"agreement": {"memberIds": [parent], "method": "paper"}});
            let agreed = app
                .call(Method::POST, &format!("{plans}/1/agree"), Some(&rt), Some(agreement), &[("If-Match", "\"2\"")])
                .await;
            assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
            assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
            // The involved provider's organisation has the consent of the child (14) and a parent to see the plan.
            let today = chrono::Utc::now().date_naive();
            let consent = app
                .post(
                    "/api/v1/consents",
                    &rt,
                    json!({"caseId": case, "personId": c.body["person"]["id"], "kind": "consent",
                           "givenBy": [{"personId": c.body["person"]["id"], "capacity": "self"},
                                       {"personId": parent, "capacity": "custodian"}],
                           "recipientOrganisationIds": [app.provider_org_id], "categories": ["plan"],
                           "purpose": "Afstemmen", "validFrom": today.to_string(),
                           "validUntil": (today + chrono::Duration::days(30)).to_string()}),
                )
                .await;
            assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.text);
        }
        Setup::Handover => {
            let r = app
                .call(
                    Method::PUT,
                    &format!("/api/v1/cases/{case}/regisseur"),
                    Some(&rt),
                    Some(json!({"userId": colleague.id})),
                    &[],
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
    }
    let case_etag = app.get(&format!("/api/v1/cases/{case}"), &rt).await.header("etag").unwrap().to_string();
    World {
        member,
        regisseur,
        colleague,
        lead,
        other_lead,
        provider_in,
        provider_out,
        spare,
        household,
        empty_household,
        parent: p.body["person"]["id"].as_str().unwrap().to_string(),
        child: c.body["person"]["id"].as_str().unwrap().to_string(),
        first_membership: p.body["id"].as_str().unwrap().to_string(),
        case,
        case_etag,
        provider_involvement: inv.body["id"].as_str().unwrap().to_string(),
        bsn,
    }
}

impl World {
    fn user(&self, app: &TestApp, actor: Actor) -> TestUser {
        match actor {
            Actor::Regisseur => self.regisseur.clone(),
            Actor::Member => self.member.clone(),
            Actor::Colleague => self.colleague.clone(),
            Actor::Lead => self.lead.clone(),
            Actor::OtherLead => self.other_lead.clone(),
            Actor::ProviderInvolved => self.provider_in.clone(),
            Actor::ProviderOutside => self.provider_out.clone(),
            Actor::Other(role) => app.user(role),
        }
    }
}

/// What a cell expects: a status, or 200 with this many items (lists and searches).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    S(u16),
    Items(usize),
    /// 200, and whether the world's case is in the list.
    Lists(bool),
}
use Expect::{Items, Lists, S};

/// Expected results for the seven scoped actors (Regisseur … ProviderOutside); the other roles always get 403.
type Row = [Expect; 7];

struct Endpoint {
    name: &'static str,
    setup: Setup,
    call: fn(&World) -> (Method, String, Option<Value>),
    expect: Row,
}

/// The `If-Match` a call sends: the case's current ETag, or a fixed one (plan drafts and action progress start at 1).
fn if_match(name: &str, w: &World) -> Option<String> {
    if name.ends_with("/state") {
        Some(w.case_etag.clone())
    } else if name.starts_with("PUT /cases/{id}/plans") || name.ends_with("/agree") {
        Some("\"1\"".into())
    } else {
        None
    }
}

fn endpoints() -> Vec<Endpoint> {
    const F: Expect = S(403);
    const N: Expect = S(404);
    vec![
        Endpoint {
            name: "POST /households",
            setup: Setup::Plain,
            call: |_| {
                (
                    Method::POST,
                    "/api/v1/households".into(),
                    Some(json!({"postcode": "2713EF", "houseNumber": 9, "wijk": "Meerzicht", "teamId": "@team"})),
                )
            },
            // The other team's lead names a team they do not work in.
            expect: [S(201), S(201), S(201), S(201), S(422), F, F],
        },
        Endpoint {
            name: "GET /households/{id}",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/households/{}", w.household), None),
            expect: [S(200), S(200), N, S(200), N, F, F],
        },
        Endpoint {
            name: "GET /households/{id}/members",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/households/{}/members", w.household), None),
            expect: [Items(2), Items(2), N, N, N, F, F],
        },
        Endpoint {
            name: "POST /households/{id}/members",
            setup: Setup::Plain,
            call: |w| {
                (
                    Method::POST,
                    format!("/api/v1/households/{}/members", w.household),
                    Some(
                        json!({"person": {"name": "Nieuw", "birthDate": "2020-02-02"}, "relation": "child", "from": "2020-02-02"}),
                    ),
                )
            },
            expect: [S(201), S(201), N, F, N, F, F],
        },
        Endpoint {
            name: "POST /households/{id}/members/{m}/end",
            setup: Setup::Plain,
            call: |w| {
                (
                    Method::POST,
                    format!("/api/v1/households/{}/members/{}/end", w.household, w.first_membership),
                    Some(json!({"until": "2025-01-01"})),
                )
            },
            expect: [S(200), S(200), N, F, N, F, F],
        },
        Endpoint {
            name: "GET /persons/{id}",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/persons/{}", w.parent), None),
            expect: [S(200), S(200), N, N, N, F, F],
        },
        Endpoint {
            name: "POST /persons/search",
            setup: Setup::Plain,
            call: |w| (Method::POST, "/api/v1/persons/search".into(), Some(json!({"bsn": w.bsn}))),
            expect: [Items(1), Items(1), Items(0), Items(0), Items(0), F, F],
        },
        Endpoint {
            name: "POST /persons/{id}/parents",
            setup: Setup::Plain,
            call: |w| {
                (Method::POST, format!("/api/v1/persons/{}/parents", w.child), Some(json!({"parentId": w.parent})))
            },
            expect: [S(201), S(201), N, N, N, F, F],
        },
        Endpoint {
            name: "POST /cases",
            setup: Setup::Plain,
            call: |w| {
                (Method::POST, "/api/v1/cases".into(), Some(json!({"householdId": w.empty_household, "laws": ["Wmo"]})))
            },
            expect: [S(201), S(201), S(201), S(201), N, F, F],
        },
        Endpoint {
            name: "GET /cases",
            setup: Setup::Plain,
            call: |_| (Method::GET, "/api/v1/cases".into(), None),
            expect: [Lists(true), Lists(true), Lists(false), Lists(true), Lists(false), Lists(false), Lists(false)],
        },
        Endpoint {
            name: "GET /cases/{id}",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/cases/{}", w.case), None),
            expect: [S(200), S(200), N, S(200), N, N, N],
        },
        Endpoint {
            // A case's stuck reasons: whoever reads the case, by the case read's decision.
            name: "GET /cases/{id}/stuck",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/stuck", w.case), None),
            expect: [S(200), S(200), N, S(200), N, S(200), N],
        },
        Endpoint {
            name: "POST /cases/{id}/state",
            setup: Setup::Plain,
            call: |w| (Method::POST, format!("/api/v1/cases/{}/state", w.case), Some(json!({"state": "intake"}))),
            expect: [S(200), S(200), N, F, N, N, N],
        },
        Endpoint {
            name: "POST /cases/{id}/reopen",
            setup: Setup::Closed,
            call: |w| (Method::POST, format!("/api/v1/cases/{}/reopen", w.case), Some(json!({}))),
            expect: [S(201), S(201), N, S(201), N, F, F],
        },
        Endpoint {
            name: "PUT /cases/{id}/regisseur",
            setup: Setup::Plain,
            call: |w| (Method::PUT, format!("/api/v1/cases/{}/regisseur", w.case), Some(json!({"userId": w.spare.id}))),
            expect: [S(201), F, N, S(201), N, N, N],
        },
        Endpoint {
            name: "GET /cases/{id}/regisseur",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/regisseur", w.case), None),
            expect: [Items(1), Items(1), N, Items(1), N, N, N],
        },
        Endpoint {
            name: "POST /cases/{id}/regisseur/accept",
            setup: Setup::Handover,
            call: |w| (Method::POST, format!("/api/v1/cases/{}/regisseur/accept", w.case), None),
            // The proposal is addressed to the colleague.
            expect: [F, F, S(200), F, N, N, N],
        },
        Endpoint {
            name: "POST /cases/{id}/regisseur/decline",
            setup: Setup::Handover,
            call: |w| (Method::POST, format!("/api/v1/cases/{}/regisseur/decline", w.case), None),
            expect: [F, F, S(200), F, N, N, N],
        },
        Endpoint {
            name: "GET /cases/{id}/involvements",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/involvements", w.case), None),
            expect: [Items(3), Items(3), N, Items(3), N, N, N],
        },
        Endpoint {
            name: "GET /cases/{id}/contacts",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/contacts", w.case), None),
            // The provider's consent covers the plan, not basic details.
            expect: [S(200), S(200), N, F, N, N, N],
        },
        Endpoint {
            name: "POST /cases/{id}/involvements",
            setup: Setup::Plain,
            call: |w| {
                (
                    Method::POST,
                    format!("/api/v1/cases/{}/involvements", w.case),
                    Some(json!({"userId": w.spare.id, "roleInCase": "gezinscoach"})),
                )
            },
            expect: [S(201), F, N, S(201), N, N, N],
        },
        Endpoint {
            name: "POST /cases/{id}/involvements/{i}/end",
            setup: Setup::Plain,
            call: |w| {
                (Method::POST, format!("/api/v1/cases/{}/involvements/{}/end", w.case, w.provider_involvement), None)
            },
            expect: [S(200), F, N, S(200), N, N, N],
        },
        Endpoint {
            name: "GET /cases/{id}/plans",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/plans", w.case), None),
            // A provider sees the current version only; the teamleider sees the case's summary, not its plan.
            // (In the Plain world the involved provider has no consent: the case is out of their scope, 404.)
            expect: [Items(2), Items(2), N, F, N, Items(1), N],
        },
        Endpoint {
            name: "POST /cases/{id}/plans",
            setup: Setup::Plain,
            call: |w| (Method::POST, format!("/api/v1/cases/{}/plans", w.case), Some(json!({}))),
            expect: [S(201), F, N, F, N, N, N],
        },
        Endpoint {
            name: "GET /cases/{id}/plans/current",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/plans/current", w.case), None),
            expect: [S(200), S(200), N, F, N, S(200), N],
        },
        Endpoint {
            name: "PUT /cases/{id}/plans/{version}",
            setup: Setup::Plan,
            call: |w| {
                (
                    Method::PUT,
                    format!("/api/v1/cases/{}/plans/2", w.case),
                    Some(json!({"content": {"strengths": ["Veel"]}})),
                )
            },
            expect: [S(200), F, N, F, N, F, N],
        },
        Endpoint {
            name: "POST /cases/{id}/plans/{version}/agree",
            setup: Setup::Plan,
            call: |w| {
                (
                    Method::POST,
                    format!("/api/v1/cases/{}/plans/2/agree", w.case),
                    Some(json!({"agreement": {"memberIds": [w.parent], "method": "conversation"}})),
                )
            },
            expect: [S(200), F, N, F, N, F, N],
        },
        Endpoint {
            name: "GET /cases/{id}/plans/compare",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/plans/compare?from=1&to=2", w.case), None),
            expect: [S(200), S(200), N, F, N, F, N],
        },
        Endpoint {
            name: "PUT /cases/{id}/plans/actions/{action}/progress",
            setup: Setup::Plan,
            call: |w| {
                (
                    Method::PUT,
                    format!("/api/v1/cases/{}/plans/actions/a2/progress", w.case),
                    Some(json!({"status": "in_progress"})),
                )
            },
            // The provider owns a2.
            expect: [S(200), S(200), N, F, N, S(200), N],
        },
        Endpoint {
            name: "GET /cases/{id}/plans/{version}/document",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/plans/current/document", w.case), None),
            expect: [S(200), S(200), N, F, N, F, N],
        },
        Endpoint {
            name: "POST /cases/{id}/assessments",
            setup: Setup::Plain,
            call: |w| {
                (
                    Method::POST,
                    format!("/api/v1/cases/{}/assessments", w.case),
                    Some(
                        json!({"personId": w.child, "kind": "start", "assessedOn": "2026-01-01", "scores": {"werk_opleiding": 2}}),
                    ),
                )
            },
            expect: [S(201), S(201), N, F, N, N, N],
        },
        Endpoint {
            name: "GET /cases/{id}/assessments/summary",
            setup: Setup::Plain,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/assessments/summary", w.case), None),
            expect: [S(200), S(200), N, F, N, N, N],
        },
        Endpoint {
            name: "POST /cases/{id}/evaluations",
            setup: Setup::Plan,
            call: |w| {
                (
                    Method::POST,
                    format!("/api/v1/cases/{}/evaluations", w.case),
                    Some(json!({"heldOn": "2026-11-01", "participants": [{"kind": "member", "personId": w.parent}],
                        "goalProgress": [{"goalId": "g1", "status": "open"}], "decision": "continue",
                        "nextEvaluationDate": "2027-01-01"})),
                )
            },
            expect: [S(201), F, N, F, N, F, N],
        },
        Endpoint {
            name: "GET /cases/{id}/evaluations",
            setup: Setup::Plan,
            call: |w| (Method::GET, format!("/api/v1/cases/{}/evaluations", w.case), None),
            // The provider's consent covers the plan, not evaluations: for them there are none (404).
            expect: [S(200), S(200), N, F, N, N, N],
        },
    ]
}

/// Row counts of every table households and cases live in: a refused call changes none of them.
fn counts(app: &TestApp) -> Vec<i64> {
    use eenplan::db::schema::*;
    let mut c = app.conn();
    vec![
        households::table.count().get_result(&mut c).unwrap(),
        household_members::table.filter(household_members::until_date.is_null()).count().get_result(&mut c).unwrap(),
        persons::table.count().get_result(&mut c).unwrap(),
        parent_child::table.count().get_result(&mut c).unwrap(),
        cases::table.count().get_result(&mut c).unwrap(),
        case_state_history::table.count().get_result(&mut c).unwrap(),
        involvements::table.filter(involvements::valid_until.is_null()).count().get_result(&mut c).unwrap(),
        regisseur_assignments::table
            .filter(regisseur_assignments::decided_at.is_null())
            .count()
            .get_result(&mut c)
            .unwrap(),
        plan_versions::table.count().get_result(&mut c).unwrap(),
        plan_versions::table.filter(plan_versions::status.eq("agreed")).count().get_result(&mut c).unwrap(),
        plan_versions::table.filter(plan_versions::revision.gt(1)).count().get_result(&mut c).unwrap(),
        plan_action_progress::table.filter(plan_action_progress::revision.gt(1)).count().get_result(&mut c).unwrap(),
        zrm_assessments::table.count().get_result(&mut c).unwrap(),
        evaluations::table.count().get_result(&mut c).unwrap(),
    ]
}

/// A procescoördinator reads and steers a case they adopted (an escalation's involvement), so their role permits
/// these routes (case read and update, plan read); on a case they did not adopt they are as anyone not involved: 404.
const ADOPTER_ROUTES: [&str; 17] = [
    "GET /cases/{id}",
    "GET /cases/{id}/stuck",
    "GET /cases/{id}/plans",
    "GET /cases/{id}/plans/current",
    "GET /cases/{id}/plans/compare",
    "GET /cases/{id}/plans/{version}/document",
    "GET /cases/{id}/assessments/summary",
    "GET /cases/{id}/evaluations",
    "POST /cases/{id}/state",
    "PUT /cases/{id}/regisseur",
    "GET /cases/{id}/regisseur",
    "POST /cases/{id}/regisseur/accept",
    "POST /cases/{id}/regisseur/decline",
    "GET /cases/{id}/involvements",
    "GET /cases/{id}/contacts",
    "POST /cases/{id}/involvements",
    "POST /cases/{id}/involvements/{i}/end",
];

#[actix_web::test]
async fn every_role_in_and_out_of_scope_against_every_endpoint() {
    let mut failures = Vec::new();
    let mut cells = 0;
    for endpoint in endpoints() {
        let app = TestApp::new().await;
        for actor in ACTORS {
            let w = world(&app, endpoint.setup).await;
            let user = w.user(&app, actor);
            let token = app.token(&user).await;
            let (method, path, body) = (endpoint.call)(&w);
            let body = body.map(|b| serde_json::from_str(&b.to_string().replace("@team", &app.team_id)).unwrap());
            let etag = if_match(endpoint.name, &w);
            let headers: Vec<(&str, &str)> = etag.as_deref().map(|e| vec![("If-Match", e)]).unwrap_or_default();
            let before = counts(&app);
            let res = app.call(method.clone(), &path, Some(&token), body, &headers).await;
            let expected = match actor {
                Actor::Other(Role::Procescoordinator) if ADOPTER_ROUTES.contains(&endpoint.name) => S(404),
                Actor::Other(_) => S(403),
                _ => endpoint.expect[ACTORS.iter().position(|a| *a == actor).unwrap()],
            };
            let got = match expected {
                Items(_) if res.status == StatusCode::OK => {
                    let items = res.body.get("items").unwrap_or(&res.body);
                    Items(items.as_array().map(Vec::len).unwrap_or(usize::MAX))
                }
                Lists(_) if res.status == StatusCode::OK => {
                    let items = res.body["items"].as_array().unwrap();
                    Lists(items.iter().any(|c| c["id"] == w.case.as_str()))
                }
                _ => S(res.status.as_u16()),
            };
            cells += 1;
            if got != expected {
                failures
                    .push(format!("{} as {actor:?}: expected {expected:?}, got {got:?}: {}", endpoint.name, res.text));
                continue;
            }
            if res.status.is_client_error() {
                assert_eq!(counts(&app), before, "{} as {actor:?} changed data", endpoint.name);
                assert_eq!(res.content_type(), "application/problem+json");
            }
            let event = app
                .audit_events()
                .into_iter()
                .rev()
                .find(|e| e.data.user_id.as_deref() == Some(user.id.as_str()))
                .unwrap_or_else(|| panic!("{} as {actor:?}: no audit event", endpoint.name));
            let denied = matches!(res.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND);
            assert_eq!(event.data.outcome == "denied", denied, "{} as {actor:?}: {:?}", endpoint.name, event.data);
            if res.status.is_success() {
                assert!(event.data.basis.is_some(), "{} as {actor:?}: allowed without a basis", endpoint.name);
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cells} cells differ:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(cells, 34 * ACTORS.len());
}
