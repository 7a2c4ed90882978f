//! Correctness of issue #11, points 9–12, on SQLite and PostgreSQL: custody decides who consents for a child, a
//! refused plan's document says so in the family's words, signals match on the address rather than the household
//! record, and every provider denial is audited `denied` while plan, ZRM and evaluation reads name their persons.

mod common;

use actix_web::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use common::{Response, TestApp, TestUser};
use eenplan::access::Role;
use eenplan::audit::model::StoredEvent;
use eenplan::households::bsn::synthetic;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn years_ago(years: i32) -> NaiveDate {
    let t = today();
    NaiveDate::from_ymd_opt(t.year() - years, t.month(), t.day().min(28)).unwrap()
}

struct World {
    case: String,
    household: String,
    regisseur: TestUser,
    provider: TestUser,
    /// Lives in the household with custody.
    mother: String,
    mother_membership: String,
    /// Lives in the household and is recorded as the child's parent, but has no custody.
    father: String,
    child: String,
}

async fn create_household(app: &TestApp, token: &str, address: Value) -> String {
    let mut body = json!({"wijk": "Centrum", "teamId": app.team_id});
    body.as_object_mut().unwrap().extend(address.as_object().unwrap().clone());
    let h = app.post("/api/v1/households", token, body).await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    h.body["id"].as_str().unwrap().to_string()
}

async fn add_member(app: &TestApp, token: &str, household: &str, body: Value) -> Response {
    let r = app.post(&format!("/api/v1/households/{household}/members"), token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r
}

/// A household (mother with custody, father without, a child born on `child_birth`), a case directed by a regisseur,
/// an involved provider, and an agreed plan: goal g1 of the child with the provider's action a1, goal g2 of the
/// mother with her own action a2. `agreement` is the family's answer.
async fn world(app: &TestApp, child_birth: NaiveDate, agreement: Value) -> World {
    let regisseur = app.user(Role::Wijkteam);
    let rt = app.token(&regisseur).await;
    let household = create_household(app, &rt, json!({"postcode": "2716BB", "houseNumber": 8})).await;
    let person = |name: &str, birth: &str, relation: &str, custody: bool| {
        json!({"person": {"name": name, "birthDate": birth}, "relation": relation, "custody": custody,
               "from": "2005-01-01"})
    };
    let mother = add_member(app, &rt, &household, person("Moeder", "1984-03-03", "parent", true)).await;
    let father = add_member(app, &rt, &household, person("Vader", "1982-05-05", "parent", false)).await;
    let child = add_member(
        app,
        &rt,
        &household,
        json!({"person": {"name": "Kind", "birthDate": child_birth.to_string()}, "relation": "child",
               "from": child_birth.to_string()}),
    )
    .await;
    let id = |r: &Response| r.body["person"]["id"].as_str().unwrap().to_string();
    let (mother_id, father_id, child_id) = (id(&mother), id(&father), id(&child));
    for parent in [&mother_id, &father_id] {
        let r = app.post(&format!("/api/v1/persons/{child_id}/parents"), &rt, json!({"parentId": parent})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let case = app.post("/api/v1/cases", &rt, json!({"householdId": household, "laws": ["Jeugdwet"]})).await;
    let case = case.body["id"].as_str().unwrap().to_string();
    let lt = app.token(&app.user(Role::Teamleider)).await;
    let put = format!("/api/v1/cases/{case}/regisseur");
    app.call(Method::PUT, &put, Some(&lt), Some(json!({"userId": regisseur.id})), &[]).await;
    app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await;
    let provider = app.user(Role::Provider);
    let inv = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &rt,
            json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    let plans = format!("/api/v1/cases/{case}/plans");
    app.post(&plans, &rt, json!({})).await;
    let content = json!({"content": {
        "goals": [
            {"id": "g1", "domain": "werk_opleiding", "personId": child_id, "description": "Naar school",
             "target": "Geen verzuim", "dueDate": "2030-06-01", "status": "open"},
            {"id": "g2", "domain": "financien", "personId": mother_id, "description": "Grip op geld",
             "target": "Huur op tijd", "dueDate": "2030-06-01", "status": "open"}],
        "actions": [
            {"id": "a1", "goalId": "g1", "description": "Gesprekken", "dueDate": "2030-01-01",
             "owner": {"kind": "professional", "userId": provider.id}},
            {"id": "a2", "goalId": "g2", "description": "Budget bijhouden", "dueDate": "2030-01-01",
             "owner": {"kind": "member", "personId": mother_id}}],
        "nextEvaluationDate": "2030-03-01"}});
    let r = app.call(Method::PUT, &format!("{plans}/1"), Some(&rt), Some(content), &[("If-Match", "\"1\"")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut agreement = agreement;
    agreement["memberIds"] = json!([mother_id]);
    let r = app
        .call(
            Method::POST,
            &format!("{plans}/1/agree"),
            Some(&rt),
            Some(json!({"agreement": agreement})),
            &[("If-Match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mother_membership = mother.body["id"].as_str().unwrap().to_string();
    World {
        case,
        household,
        regisseur,
        provider,
        mother: mother_id,
        mother_membership,
        father: father_id,
        child: child_id,
    }
}

fn agreed() -> Value {
    json!({"method": "paper"})
}

async fn consent(app: &TestApp, w: &World, givers: Value, categories: Value) -> Response {
    app.post(
        "/api/v1/consents",
        &app.token(&w.regisseur).await,
        json!({"caseId": w.case, "personId": w.child, "kind": "consent", "givenBy": givers,
               "recipientOrganisationIds": [app.provider_org_id], "categories": categories,
               "purpose": "Afstemmen over school", "validFrom": today().to_string(),
               "validUntil": (today() + Duration::days(90)).to_string()}),
    )
    .await
}

/// The last audit event of a user.
fn last_event_of(app: &TestApp, user: &TestUser) -> StoredEvent {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(user.id.as_str())).unwrap()
}

// Point 9 ---------------------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_parent_without_custody_cannot_consent_for_a_child_and_gives_no_coverage() {
    let app = TestApp::new().await;
    for age in [8, 13] {
        let w = world(&app, years_ago(age) - Duration::days(30), agreed()).await;
        let mut givers = vec![json!({"personId": w.father, "capacity": "custodian"})];
        if age >= 12 {
            givers.push(json!({"personId": w.child, "capacity": "self"}));
        }
        let r = consent(&app, &w, json!(givers), json!(["plan"])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "age {age}: {}", r.text);
        let errors = r.body["errors"].as_array().unwrap();
        let who = errors.iter().find(|e| e["field"] == "givenBy").expect("says who must consent");
        assert!(who["message"].as_str().unwrap().contains("parent or guardian with custody must consent"), "{who}");
        assert!(
            errors.iter().any(|e| e["field"] == "givenBy[0]"),
            "the father is named as not a custodian: {}",
            r.text
        );
        let pt = app.token(&w.provider).await;
        let current = format!("/api/v1/cases/{}/plans/current", w.case);
        assert_eq!(app.get(&current, &pt).await.status, StatusCode::NOT_FOUND, "age {age}: no coverage");

        // The mother, who has custody, can.
        let mut givers = vec![json!({"personId": w.mother, "capacity": "custodian"})];
        if age >= 12 {
            givers.push(json!({"personId": w.child, "capacity": "self"}));
        }
        let r = consent(&app, &w, json!(givers), json!(["plan"])).await;
        assert_eq!(r.status, StatusCode::CREATED, "age {age}: {}", r.text);
        assert_eq!(app.get(&current, &pt).await.status, StatusCode::OK);
    }
}

#[actix_web::test]
async fn a_consent_covers_only_while_its_custodian_holds_custody() {
    let app = TestApp::new().await;
    let w = world(&app, years_ago(8), agreed()).await;
    let r = consent(&app, &w, json!([{"personId": w.mother, "capacity": "custodian"}]), json!(["plan"])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let pt = app.token(&w.provider).await;
    let current = format!("/api/v1/cases/{}/plans/current", w.case);
    assert_eq!(app.get(&current, &pt).await.status, StatusCode::OK);
    // The mother leaves the household: eenplan no longer knows her as holding custody, so her consent stops covering.
    let rt = app.token(&w.regisseur).await;
    let end = app
        .post(
            &format!("/api/v1/households/{}/members/{}/end", w.household, w.mother_membership),
            &rt,
            json!({"until": today().to_string()}),
        )
        .await;
    assert_eq!(end.status, StatusCode::OK, "{}", end.text);
    assert_eq!(app.get(&current, &pt).await.status, StatusCode::NOT_FOUND, "the custodian's consent is judged today");
    let history = app.get(&format!("/api/v1/consents?caseId={}", w.case), &rt).await;
    assert_eq!(history.body[0]["active"], false, "{}", history.text);
}

// Point 10 --------------------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_refused_plans_document_says_the_family_did_not_agree_in_their_own_words() {
    let app = TestApp::new().await;
    let statement = "Wij willen <b>geen</b> hulp van \"Jeugdzorg\" & niet zo.\nDat is onze keuze.";
    let w = world(&app, years_ago(8), json!({"method": "conversation", "refused": true, "statement": statement})).await;
    let rt = app.token(&w.regisseur).await;
    let doc = app.get(&format!("/api/v1/cases/{}/plans/current/document", w.case), &rt).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text);
    assert!(!doc.text.contains("samen afgesproken"), "a refused plan is not agreed: {}", doc.text);
    assert!(doc.text.contains("Wij zijn het niet eens met dit plan"), "{}", doc.text);
    let escaped =
        "Wij willen &lt;b&gt;geen&lt;/b&gt; hulp van &quot;Jeugdzorg&quot; &amp; niet zo.\nDat is onze keuze.";
    assert!(doc.text.contains(escaped), "the statement word for word, escaped: {}", doc.text);
    assert!(!doc.text.contains("<b>geen</b>"));

    // An agreed plan still says so.
    let w = world(&app, years_ago(8), agreed()).await;
    let rt = app.token(&w.regisseur).await;
    let doc = app.get(&format!("/api/v1/cases/{}/plans/current/document", w.case), &rt).await;
    assert!(doc.text.contains("Dit plan hebben we samen afgesproken"), "{}", doc.text);
    assert!(!doc.text.contains("niet eens"));
}

// Point 11 --------------------------------------------------------------------------------------------------------

fn kinds(res: &Response) -> Vec<String> {
    res.body["matches"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap().to_string()).collect()
}

/// A new household record at `address` with one child; the body of a signal on that child.
async fn child_at(app: &TestApp, token: &str, address: Value, n: u32) -> Value {
    let h = create_household(app, token, address).await;
    let birth = years_ago(10) - Duration::days(n as i64);
    let bsn = synthetic(n).expose().to_string();
    add_member(
        app,
        token,
        &h,
        json!({"person": {"name": format!("Kind {n}"), "birthDate": birth, "bsn": bsn}, "relation": "child",
               "from": birth}),
    )
    .await;
    json!({"subject": {"bsn": bsn, "birthDate": birth}, "contact": {"phone": "079 123 45 67"}})
}

#[actix_web::test]
async fn two_household_records_at_one_address_match_on_the_address_unless_it_is_an_institution() {
    let app = TestApp::new().await;
    let t = app.token(&app.user(Role::Wijkteam)).await;
    let school = app.token(&app.user_in(Role::Signaller, &app.organisation("Basisschool", "other"))).await;
    let police = app.token(&app.user_in(Role::Signaller, &app.organisation("Politie", "other"))).await;
    let pair = [
        // The same address, written differently in the second record.
        (
            json!({"postcode": "2716BB", "houseNumber": 8, "houseNumberAddition": "A"}),
            json!({"postcode": "2716 bb", "houseNumber": 8, "houseNumberAddition": "a"}),
            true,
        ),
        (
            json!({"postcode": "2717CC", "houseNumber": 3, "institutionalAddress": true}),
            json!({"postcode": "2717CC", "houseNumber": 3, "institutionalAddress": true}),
            false,
        ),
        // Another addition at the same number is another address.
        (
            json!({"postcode": "2718DD", "houseNumber": 5}),
            json!({"postcode": "2718DD", "houseNumber": 5, "houseNumberAddition": "1"}),
            false,
        ),
    ];
    for (n, (a, b, matches)) in pair.into_iter().enumerate() {
        let n = 40 + 2 * n as u32;
        let first = child_at(&app, &t, a, n).await;
        let second = child_at(&app, &t, b, n + 1).await;
        let r = app.post("/api/v1/signals", &school, first).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = app.post("/api/v1/signals", &police, second).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let expected: &[&str] = if matches { &["address"] } else { &[] };
        assert_eq!(kinds(&r), expected, "pair {n}: {}", r.text);
    }
    // A third record at the first address joins the same match.
    let third =
        child_at(&app, &t, json!({"postcode": "2716BB", "houseNumber": 8, "houseNumberAddition": "A"}), 50).await;
    let jgz = app.token(&app.user_in(Role::Signaller, &app.organisation("JGZ", "provider"))).await;
    let r = app.post("/api/v1/signals", &jgz, third).await;
    assert_eq!(kinds(&r), ["address"], "{}", r.text);
    let matches = app.get("/api/v1/matches", &app.token(&app.user(Role::Matchregisseur)).await).await;
    let items = matches.body["items"].as_array().or(matches.body.as_array()).cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "one match for the address: {}", matches.text);
    assert_eq!(items[0]["members"].as_array().unwrap().len(), 3, "{}", matches.text);
}

// Point 12 --------------------------------------------------------------------------------------------------------

/// Two assessments each of the child and of the mother, and an evaluation the mother took part in; a consent for
/// the child only, covering the plan, ZRM and evaluations. Returns the assessment ids (child, child, mother, mother).
async fn history(app: &TestApp, w: &World) -> Vec<String> {
    let rt = app.token(&w.regisseur).await;
    let mut ids = Vec::new();
    for (person, kind) in
        [(&w.child, "start"), (&w.child, "intermediate"), (&w.mother, "start"), (&w.mother, "intermediate")]
    {
        let a = app
            .post(
                &format!("/api/v1/cases/{}/assessments", w.case),
                &rt,
                json!({"personId": person, "kind": kind, "assessedOn": today().to_string(),
                       "scores": {"werk_opleiding": 2, "financien": 3}}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        ids.push(a.body["id"].as_str().unwrap().to_string());
    }
    let e = app
        .post(
            &format!("/api/v1/cases/{}/evaluations", w.case),
            &rt,
            json!({"heldOn": today().to_string(), "participants": [{"kind": "member", "personId": w.mother}],
                   "goalProgress": [{"goalId": "g1", "status": "open"}, {"goalId": "g2", "status": "open"}],
                   "decision": "continue", "nextEvaluationDate": (today() + Duration::days(60)).to_string()}),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.text);
    let r = consent(
        app,
        w,
        json!([{"personId": w.mother, "capacity": "custodian"}]),
        json!(["plan", "zrm", "evaluations"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    ids
}

#[actix_web::test]
async fn every_provider_denial_is_audited_as_denied() {
    let app = TestApp::new().await;
    let w = world(&app, years_ago(8), agreed()).await;
    let ids = history(&app, &w).await;
    let rt = app.token(&w.regisseur).await;
    let draft = app.post(&format!("/api/v1/cases/{}/plans", w.case), &rt, json!({})).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let pt = app.token(&w.provider).await;
    let base = format!("/api/v1/cases/{}", w.case);
    assert_eq!(app.get(&format!("{base}/plans/current"), &pt).await.status, StatusCode::OK, "in view");

    let mut failures = Vec::new();
    let mut check = |what: &str, res: Response| {
        let event = last_event_of(&app, &w.provider);
        if res.status != StatusCode::NOT_FOUND || event.data.outcome != "denied" || event.data.http_status != Some(404)
        {
            failures.push(format!("{what}: {} audited {} {:?}", res.status, event.data.outcome, event.data.action));
        }
    };
    check("a plan version outside the view (the draft)", app.get(&format!("{base}/plans/2"), &pt).await);
    let zrm = app.get(&format!("{base}/assessments/progress?from={}&to={}", ids[2], ids[3]), &pt).await;
    check("ZRM progress of a person not covered", zrm);
    let action = app
        .call(
            Method::PUT,
            &format!("{base}/plans/actions/a2/progress"),
            Some(&pt),
            Some(json!({"status": "in_progress"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    check("an action outside the view (the mother's own)", action);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A regisseur asking for a version that does not exist is not denied anything: it failed.
    assert_eq!(app.get(&format!("{base}/plans/9"), &rt).await.status, StatusCode::NOT_FOUND);
    assert_eq!(last_event_of(&app, &w.regisseur).data.outcome, "failed");
}

#[actix_web::test]
async fn plan_zrm_and_evaluation_reads_name_the_persons_they_show() {
    let app = TestApp::new().await;
    let w = world(&app, years_ago(8), agreed()).await;
    let ids = history(&app, &w).await;
    let base = format!("/api/v1/cases/{}", w.case);
    let progress = |from: &str, to: &str| format!("{base}/assessments/progress?from={from}&to={to}");
    let both = vec![w.child.clone(), w.mother.clone()];
    let child = vec![w.child.clone()];
    let mother = vec![w.mother.clone()];
    let rt = app.token(&w.regisseur).await;
    let pt = app.token(&w.provider).await;
    let reads: Vec<(&TestUser, &str, String, Vec<String>)> = vec![
        (&w.regisseur, &rt, format!("{base}/plans/current"), both.clone()),
        (&w.regisseur, &rt, format!("{base}/plans/1"), both.clone()),
        (&w.regisseur, &rt, format!("{base}/assessments"), both.clone()),
        (&w.regisseur, &rt, progress(&ids[2], &ids[3]), mother.clone()),
        (&w.regisseur, &rt, format!("{base}/assessments/summary"), both.clone()),
        (&w.regisseur, &rt, format!("{base}/evaluations"), both.clone()),
        // The provider is shown the child's part only, and the event says so.
        (&w.provider, &pt, format!("{base}/plans/current"), child.clone()),
        (&w.provider, &pt, format!("{base}/assessments"), child.clone()),
        (&w.provider, &pt, progress(&ids[0], &ids[1]), child.clone()),
        (&w.provider, &pt, format!("{base}/assessments/summary"), child.clone()),
        (&w.provider, &pt, format!("{base}/evaluations"), child.clone()),
    ];
    let mut failures = Vec::new();
    for (user, token, path, expected) in reads {
        let res = app.get(&path, token).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
        let event = last_event_of(&app, user);
        let mut named = event.data.person_ids.clone();
        named.sort();
        let mut expected = expected;
        expected.sort();
        if named != expected {
            failures.push(format!("{:?} {path}: named {named:?}, expected {expected:?}", user.role));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
