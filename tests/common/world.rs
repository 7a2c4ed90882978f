//! The case the web screens' tests work in (a household of a parent and a child of 14, its regisseur, an involved
//! provider, an agreed plan, a consent), and every kind of user who may or may not see it.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use super::{TestApp, TestUser};
use eenplan::access::Role;

/// Whose goal the agreed plan's one goal is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GoalOf {
    Parent,
    Child,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Actor {
    Regisseur,
    Member,
    Colleague,
    Lead,
    OtherLead,
    ProviderInvolved,
    ProviderOutside,
    Other(Role),
}

pub const ACTORS: [Actor; 12] = [
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

pub struct World {
    pub member: TestUser,
    pub regisseur: TestUser,
    pub lead: TestUser,
    pub provider_in: TestUser,
    pub case: String,
    pub parent: String,
    pub child: String,
}

/// A household (a parent with custody, a child of 14) with an open case: `member` opened it, `regisseur` directs it,
/// a provider is involved; an agreed plan with one goal (the finances of `goal_of`) and one action of the provider; the
/// provider's organisation has the consent of the child and the parent for the plan and the ZRM of the child.
pub async fn world(app: &TestApp, goal_of: GoalOf) -> World {
    let member = app.user(Role::Wijkteam);
    let regisseur = app.user(Role::Wijkteam);
    let lead = app.user(Role::Teamleider);
    let provider_in = app.user(Role::Provider);
    let (mt, lt, rt) = (app.token(&member).await, app.token(&lead).await, app.token(&regisseur).await);
    let h = app
        .post(
            "/api/v1/households",
            &mt,
            json!({"postcode": "2712CD", "houseNumber": 7, "wijk": "Meerzicht", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let members_path = format!("/api/v1/households/{household}/members");
    let today = chrono::Utc::now().date_naive();
    let born_14 = (today - chrono::Duration::days(14 * 365 + 100)).to_string();
    let p = app
        .post(&members_path, &mt, json!({"person": {"name": "Ouder Jansen", "birthDate": "1980-01-01"}, "relation": "parent", "custody": true, "from": "2010-01-01"}))
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let c = app
        .post(
            &members_path,
            &mt,
            json!({"person": {"name": "Kind Jansen", "birthDate": born_14}, "relation": "child", "from": "2012-01-01"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    let (parent, child) =
        (p.body["person"]["id"].as_str().unwrap().to_string(), c.body["person"]["id"].as_str().unwrap().to_string());
    let goal_person = match goal_of {
        GoalOf::Parent => &parent,
        GoalOf::Child => &child,
    };
    let case = app.post("/api/v1/cases", &mt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let case = case.body["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{case}/regisseur"),
            Some(&lt),
            Some(json!({"userId": regisseur.id})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
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
    let plans = format!("/api/v1/cases/{case}/plans");
    assert_eq!(app.post(&plans, &rt, json!({})).await.status, StatusCode::CREATED);
    let content = json!({"content": {
        "goals": [{"id": "g1", "domain": "financien", "personId": goal_person, "description": "Grip op geld",
                   "target": "Huur op tijd", "dueDate": "2027-06-01", "status": "open"}],
        "actions": [{"id": "a1", "goalId": "g1", "description": "Budgetplan", "dueDate": "2027-01-01",
                     "owner": {"kind": "professional", "userId": provider_in.id}}],
        "nextEvaluationDate": "2027-03-01"}});
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
                   "recipientOrganisationIds": [app.provider_org_id], "categories": ["plan", "zrm"],
                   "purpose": "Afstemmen", "validFrom": today.to_string(),
                   "validUntil": (today + chrono::Duration::days(30)).to_string()}),
        )
        .await;
    assert_eq!(consent.status, StatusCode::CREATED, "{}", consent.text);
    World { member, regisseur, lead, provider_in, case, parent, child }
}

pub fn user_for(app: &TestApp, w: &World, actor: Actor) -> TestUser {
    match actor {
        Actor::Regisseur => w.regisseur.clone(),
        Actor::Member => w.member.clone(),
        Actor::Colleague => app.user(Role::Wijkteam),
        Actor::Lead => w.lead.clone(),
        Actor::OtherLead => app.user_in_other_team(Role::Teamleider),
        Actor::ProviderInvolved => w.provider_in.clone(),
        Actor::ProviderOutside => app.user(Role::Provider),
        Actor::Other(role) => app.user(role),
    }
}

/// A household of the app's team through the API: at this address, with one parent (with custody) of this name;
/// its id and the parent's.
pub async fn household_at(app: &TestApp, token: &str, postcode: &str, number: i32, name: &str) -> (String, String) {
    let h = app
        .post(
            "/api/v1/households",
            token,
            json!({"postcode": postcode, "houseNumber": number, "wijk": "Centrum", "teamId": app.team_id}),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let household = h.body["id"].as_str().unwrap().to_string();
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            token,
            json!({"person": {"name": name, "birthDate": "1988-04-02"}, "relation": "parent", "custody": true,
                   "from": "2020-01-01"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    (household, m.body["person"]["id"].as_str().unwrap().to_string())
}

/// A household of one parent (with custody) in the app's team, and the case `creator` opened for it: the household,
/// the case and the parent.
pub async fn household_case_and_person(app: &TestApp, creator: &TestUser) -> (String, String, String) {
    let token = app.token(creator).await;
    let (household, person) = household_at(app, &token, "2711 ab", 12, "Sanne de Vries").await;
    let c = app.post("/api/v1/cases", &token, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    (household, c.body["id"].as_str().unwrap().to_string(), person)
}

/// A child Noor Bakker known by `bsn`, added to a new household of `creator`'s team that has a case: (household,
/// case, the child's person id).
pub async fn child_with_bsn(app: &TestApp, creator: &TestUser, bsn: &str) -> (String, String, String) {
    let (household, case, _) = household_case_and_person(app, creator).await;
    let token = app.token(creator).await;
    let m = app
        .post(
            &format!("/api/v1/households/{household}/members"),
            &token,
            json!({"person": {"name": "Noor Bakker", "birthDate": "2012-06-30", "bsn": bsn}, "relation": "child",
                   "custody": false, "from": "2020-01-01"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    (household, case, m.body["person"]["id"].as_str().unwrap().to_string())
}
