//! The web client's Team screens (the teamleider): the caseload at /team — every role (403 without a team to lead),
//! another team's teamleider (their caseload has none of this team's cases), the view audited, the figures the
//! API's case list gives the same user — and the case page's involve and release forms and its propose form
//! (every role in and out of scope: 404 out of scope, 403 without the act; a release shows on the API's involvement
//! list), on SQLite and PostgreSQL.

mod common;

use actix_web::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::pages::{WebSession, SESSION_COOKIE};
use common::world::household_case_and_person;
use common::{TestApp, TestUser};
use eenplan::access::Role;
use eenplan::audit::model::{Basis, EventData};

/// A web answer as these tests read it: status, where it sends the browser (empty: nowhere), the HTML.
struct Html {
    status: StatusCode,
    location: String,
    text: String,
}

async fn request(app: &TestApp, b: &WebSession, method: Method, path: &str, form: Option<&str>) -> Html {
    let res = app.web_call_encoded(method, path, &[(SESSION_COOKIE, &b.cookie)], form).await;
    Html { status: res.status, location: res.header("location").unwrap_or("").to_string(), text: res.text }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn sign_in(app: &TestApp, user: &TestUser) -> WebSession {
    app.web_sign_in_after_api(user).await
}

async fn get(app: &TestApp, b: &WebSession, path: &str) -> Html {
    request(app, b, Method::GET, path, None).await
}

/// POSTs a form with the session's CSRF token prepended.
async fn post(app: &TestApp, b: &WebSession, path: &str, body: &str) -> Html {
    let body = format!("csrf={}&{body}", enc(&b.csrf));
    request(app, b, Method::POST, path, Some(&body)).await
}

fn last_event_of(app: &TestApp, user: &TestUser) -> EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

/// A case `creator` opened, without a regisseur: the case id.
async fn case_by(app: &TestApp, creator: &TestUser) -> String {
    household_case_and_person(app, creator).await.1
}

/// `regisseur` (a wijkteam user) proposed by `lead` and accepted.
async fn direct(app: &TestApp, lead: &TestUser, regisseur: &TestUser, case: &str) {
    let lt = app.token(lead).await;
    let body = json!({"userId": regisseur.id});
    let r = app.call(Method::PUT, &format!("/api/v1/cases/{case}/regisseur"), Some(&lt), Some(body), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let rt = app.token(regisseur).await;
    let a = app.post(&format!("/api/v1/cases/{case}/regisseur/accept"), &rt, json!({})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
}

async fn involvements(app: &TestApp, lead: &TestUser, case: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/cases/{case}/involvements"), &app.token(lead).await).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body.as_array().unwrap().clone()
}

#[actix_web::test]
async fn every_role_sees_the_team_page_as_the_api_allows_and_the_view_is_audited() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = case_by(&app, &creator).await;
    let mut table: Vec<(TestUser, StatusCode, bool)> = Role::ALL
        .into_iter()
        .map(|role| {
            let ok = role == Role::Teamleider;
            (app.user(role), if ok { StatusCode::OK } else { StatusCode::FORBIDDEN }, ok)
        })
        .collect();
    // Another team's teamleider: their own (empty) caseload, never this team's case.
    table.push((app.user_in_other_team(Role::Teamleider), StatusCode::OK, false));
    for (user, status, sees_case) in table {
        let token = app.token(&user).await;
        let b = sign_in(&app, &user).await;
        let page = get(&app, &b, "/team").await;
        assert_eq!(page.status, status, "{:?} /team", user.role);
        let e = last_event_of(&app, &user);
        assert_eq!(e.http_status, Some(status.as_u16() as i32), "{:?}: the view is audited", user.role);
        assert_eq!(e.action, "case.list", "{:?}", user.role);
        assert_eq!(e.outcome, if status == StatusCode::OK { "allowed" } else { "denied" }, "{:?}", user.role);
        if status == StatusCode::OK {
            assert!(matches!(e.basis, Some(Basis::TeamLead(_))), "{:?}", e.basis);
            assert!(e.person_ids.is_empty(), "the caseload names no one of the household");
        }
        assert_eq!(page.text.contains(&format!("/dossiers/{case}")), sees_case, "{:?}", user.role);
        let api = app.get("/api/v1/caseload", &token).await;
        assert_eq!(api.status, status, "{:?}: the page answers as the API", user.role);
        if status == StatusCode::OK {
            let listed = api.body["cases"].as_array().unwrap().iter().any(|c| c["case"]["id"] == case.as_str());
            assert_eq!(listed, sees_case, "{:?}", user.role);
        }
    }
}

#[actix_web::test]
async fn the_team_page_shows_the_case_lists_figures_without_regisseur_first_and_the_waiting_proposals() {
    let app = TestApp::new().await;
    let (lead, creator, regisseur, other) =
        (app.user(Role::Teamleider), app.user(Role::Wijkteam), app.user(Role::Wijkteam), app.user(Role::Wijkteam));
    let directed = case_by(&app, &creator).await;
    direct(&app, &lead, &regisseur, &directed).await;
    // The regisseur moves it on, and hands over to `other`, whom the family chose.
    let rt = app.token(&regisseur).await;
    let moved = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{directed}/state"),
            Some(&rt),
            Some(json!({"state": "intake"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let handover = json!({"userId": other.id, "familyChoice": true});
    let h = app.call(Method::PUT, &format!("/api/v1/cases/{directed}/regisseur"), Some(&rt), Some(handover), &[]).await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    // A case opened later, still without a regisseur: first all the same.
    let undirected = case_by(&app, &creator).await;

    let b = sign_in(&app, &lead).await;
    let page = get(&app, &b, "/team").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let t = &page.text;
    assert!(t.contains("<h1>Dossiers van het team</h1>"), "{t}");
    let (a, d) =
        (t.find(&format!("/dossiers/{undirected}")).unwrap(), t.find(&format!("/dossiers/{directed}")).unwrap());
    assert!(a < d, "the case without a regisseur comes first");
    assert!(t.contains("<strong>geen regisseur</strong>"));
    assert!(t.contains("Huishouden in Centrum"), "the wijk names the household");
    assert!(!t.contains("Sanne de Vries") && !t.contains("2711"), "no names or address of the household");

    // The figures are the API's case list's for the same user.
    let list = app.get("/api/v1/cases", &app.token(&lead).await).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.body["items"].as_array().unwrap();
    for (key, state) in [("aangemeld", "registered"), ("kennismaking", "intake"), ("plan-maken", "planning")] {
        let n = items.iter().filter(|c| c["state"] == state).count();
        let link = format!("<a href=\"/team?fase={key}\"><span class=\"work-counts__count\">{n}</span>");
        assert!(t.contains(&link), "{key}: {n} as the API counts: {t}");
    }
    for item in items {
        let (p, o) = (item["involvedProfessionals"].as_i64().unwrap(), item["involvedOrganisations"].as_i64().unwrap());
        let words = format!(
            "{p} {} uit {o} {}",
            if p == 1 { "hulpverlener" } else { "hulpverleners" },
            if o == 1 { "organisatie" } else { "organisaties" }
        );
        assert!(t.contains(&words), "{words}");
    }
    assert!(t.contains("<span class=\"work-counts__count\">2</span> open in totaal"));

    // The waiting handover: who is proposed, by the family's choice, from whom.
    let waiting = &t[t.find("voorstellen-titel").unwrap()..];
    assert!(
        waiting.contains(&format!("/dossiers/{directed}")) && !waiting.contains(&format!("/dossiers/{undirected}"))
    );
    assert!(waiting.contains("Overdracht van Test wijkteam"), "{waiting}");
    assert!(waiting.contains("<td>Ja</td>"), "the family's choice");

    // A count's link: the cases in that phase only.
    let intake = get(&app, &b, "/team?fase=kennismaking").await;
    assert_eq!(intake.status, StatusCode::OK);
    assert!(intake.text.contains("<h1>Dossiers van het team in fase kennismaking</h1>"));
    let rows =
        &intake.text[intake.text.find("dossiers-titel").unwrap()..intake.text.find("voorstellen-titel").unwrap()];
    assert!(rows.contains(&format!("/dossiers/{directed}")) && !rows.contains(&format!("/dossiers/{undirected}")));
}

/// Who may involve and release on the case page, as the API decides: the regisseur and the team's teamleider;
/// others who see the case 403; out of scope 404; roles without the act 403.
#[actix_web::test]
async fn every_role_involves_and_releases_as_the_api_allows() {
    let app = TestApp::new().await;
    let (lead, member, regisseur) = (app.user(Role::Teamleider), app.user(Role::Wijkteam), app.user(Role::Wijkteam));
    let case = case_by(&app, &member).await;
    direct(&app, &lead, &regisseur, &case).await;
    let mut table: Vec<(&str, TestUser, StatusCode)> = vec![
        ("regisseur", regisseur.clone(), StatusCode::SEE_OTHER),
        ("lead", lead.clone(), StatusCode::SEE_OTHER),
        ("member (involved)", member.clone(), StatusCode::FORBIDDEN),
        ("colleague (not involved)", app.user(Role::Wijkteam), StatusCode::NOT_FOUND),
        ("other team's lead", app.user_in_other_team(Role::Teamleider), StatusCode::NOT_FOUND),
        ("provider", app.user(Role::Provider), StatusCode::NOT_FOUND),
        // A procescoördinator steers the cases they adopted (an escalation); this one adopted none.
        ("procescoördinator", app.user(Role::Procescoordinator), StatusCode::NOT_FOUND),
    ];
    for role in Role::ALL {
        if !matches!(role, Role::Wijkteam | Role::Teamleider | Role::Provider | Role::Procescoordinator) {
            table.push(("no case act", app.user(role), StatusCode::FORBIDDEN));
        }
    }
    assert!(Role::ALL.iter().all(|r| table.iter().any(|(_, u, _)| u.role == *r)), "every role");
    let lt = app.token(&lead).await;
    for (who, user, status) in table {
        let token = app.token(&user).await;
        let b = sign_in(&app, &user).await;
        // Involve: the page and the API answer alike, each on a professional of its own.
        let (target, api_target) = (app.user(Role::Wijkteam), app.user(Role::Wijkteam));
        let page = post(
            &app,
            &b,
            &format!("/dossiers/{case}/betrokkenen"),
            &format!("user_id={}&role_in_case=jeugdcoach", target.id),
        )
        .await;
        assert_eq!(page.status, status, "{who}: involve: {}", page.text);
        let api_status = if status == StatusCode::SEE_OTHER { StatusCode::CREATED } else { status };
        let e = last_event_of(&app, &user);
        assert_eq!(e.http_status, Some(api_status.as_u16() as i32), "{who}: the involve is audited as the act");
        assert_eq!(e.outcome, if status == StatusCode::SEE_OTHER { "allowed" } else { "denied" }, "{who}");
        let api = app
            .post(
                &format!("/api/v1/cases/{case}/involvements"),
                &token,
                json!({"userId": api_target.id, "roleInCase": "jeugdcoach"}),
            )
            .await;
        assert_eq!(api.status, api_status, "{who}: the API answers alike: {}", api.text);
        let involved = involvements(&app, &lead, &case).await;
        assert_eq!(
            involved.iter().any(|i| i["userId"] == target.id.as_str()),
            status == StatusCode::SEE_OTHER,
            "{who}: involved only when allowed"
        );
        if status == StatusCode::SEE_OTHER {
            assert_eq!(page.location, format!("/dossiers/{case}?gedaan=betrokken#betrokkenen-titel"));
        }

        // Release: a professional the lead involved, ended by this user.
        let released = app.user(Role::Wijkteam);
        let inv = app
            .post(
                &format!("/api/v1/cases/{case}/involvements"),
                &lt,
                json!({"userId": released.id, "roleInCase": "jeugdcoach"}),
            )
            .await;
        assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
        let inv = inv.body["id"].as_str().unwrap().to_string();
        let page = post(&app, &b, &format!("/dossiers/{case}/betrokkenen/{inv}/beeindigen"), "").await;
        assert_eq!(page.status, status, "{who}: release: {}", page.text);
        let after = involvements(&app, &lead, &case).await;
        let row = after.iter().find(|i| i["id"] == inv.as_str()).unwrap();
        assert_eq!(
            !row["validUntil"].is_null(),
            status == StatusCode::SEE_OTHER,
            "{who}: the API's list shows the release"
        );
        if status == StatusCode::SEE_OTHER {
            let shown = get(&app, &b, &page.location).await;
            assert!(shown.text.contains("De betrokkenheid is beëindigd"), "{who}: the notice");
        }
    }
}

#[actix_web::test]
async fn the_involve_form_shows_every_error_at_once_and_a_conflict_in_words_keeping_the_input() {
    let app = TestApp::new().await;
    let (lead, member) = (app.user(Role::Teamleider), app.user(Role::Wijkteam));
    let case = case_by(&app, &member).await;
    let _colleague = app.user(Role::Wijkteam); // someone the form offers
    let b = sign_in(&app, &lead).await;
    let before = involvements(&app, &lead, &case).await.len();
    let page = post(&app, &b, &format!("/dossiers/{case}/betrokkenen"), "user_id=&role_in_case=").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text);
    assert!(page.text.contains("Er zijn 2 fouten in het formulier"), "{}", page.text);
    assert!(page.text.contains("href=\"#veld-involveUserId\">Hulpverlener: Vul dit in."));
    assert!(page.text.contains("href=\"#veld-roleInCase\">Wat doet deze hulpverlener in het huishouden?: Vul dit in."));
    assert_eq!(involvements(&app, &lead, &case).await.len(), before, "nothing changed");

    // Involving the one already involved: a conflict, said in words; the role typed kept.
    let page = post(
        &app,
        &b,
        &format!("/dossiers/{case}/betrokkenen"),
        &format!("user_id={}&role_in_case=gezinscoach", member.id),
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text);
    assert!(page.text.contains("al betrokken bij dit dossier"));
    assert!(page.text.contains("value=\"gezinscoach\""), "the input kept");
    assert_eq!(involvements(&app, &lead, &case).await.len(), before, "nothing changed");
}

#[actix_web::test]
async fn the_teamleider_proposes_any_active_member_of_the_team_with_the_familys_choice() {
    let app = TestApp::new().await;
    let (lead, member) = (app.user(Role::Teamleider), app.user(Role::Wijkteam));
    let colleague = app.user(Role::Wijkteam); // not involved in the case
    let outsider = app.user_in_other_team(Role::Wijkteam);
    let case = case_by(&app, &member).await;
    let b = sign_in(&app, &lead).await;
    let page = get(&app, &b, &format!("/dossiers/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let t = &page.text;
    let form = &t[t.find("/regisseur\"").unwrap()..];
    assert!(form.contains(&format!("<option value=\"{}\"", colleague.id)), "a member not involved is offered");
    assert!(form.contains(&format!("<option value=\"{}\"", member.id)), "the involved member is offered");
    assert!(!form.contains(&outsider.id), "another team's member is not");
    assert!(t.contains("<label for=\"veld-familyChoice\">De familie koos deze persoon</label>"));
    assert!(t.contains(&format!("<option value=\"{}\">", colleague.id)), "the involve form offers the colleague");

    // The member not involved: proposed by the family's choice; the case page sends them to the proposal's page.
    let sent =
        post(&app, &b, &format!("/dossiers/{case}/regisseur"), &format!("user_id={}&family_choice=ja", colleague.id))
            .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let history = app.get(&format!("/api/v1/cases/{case}/regisseur"), &app.token(&lead).await).await;
    let open = history.body.as_array().unwrap().iter().find(|a| a["status"] == "proposed").unwrap().clone();
    assert_eq!(open["userId"], colleague.id.as_str());
    assert_eq!(open["familyChoice"], true);
    let api = app.get(&format!("/api/v1/cases/{case}/regisseur/proposal"), &app.token(&colleague).await).await;
    assert_eq!(api.status, StatusCode::OK, "the addressee reads their proposal: {}", api.text);
    assert_eq!(api.body["id"], open["id"]);
    for other in [member.clone(), lead.clone(), outsider.clone()] {
        let api = app.get(&format!("/api/v1/cases/{case}/regisseur/proposal"), &app.token(&other).await).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND, "{:?}: not theirs", other.role);
        let ob = sign_in(&app, &other).await;
        assert_eq!(get(&app, &ob, &format!("/dossiers/{case}/voorstel")).await.status, StatusCode::NOT_FOUND);
    }
    let ob = sign_in(&app, &outsider).await;
    assert_eq!(
        get(&app, &ob, &format!("/dossiers/{case}")).await.status,
        StatusCode::NOT_FOUND,
        "no redirect for others"
    );
    let cb = sign_in(&app, &colleague).await;
    let shown = get(&app, &cb, &format!("/dossiers/{case}")).await;
    assert_eq!(
        (shown.status, shown.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/dossiers/{case}/voorstel").as_str())
    );
    let proposal = get(&app, &cb, &format!("/dossiers/{case}/voorstel")).await;
    assert_eq!(proposal.status, StatusCode::OK);
    assert!(
        proposal.text.contains("<h1>Voorstel: regisseur worden</h1>")
            && proposal.text.contains("Het gezin heeft zelf voor u gekozen.")
    );
    assert!(
        !proposal.text.contains("Sanne de Vries") && !proposal.text.contains("2711"),
        "nothing of the household yet"
    );
    let e = last_event_of(&app, &colleague);
    assert!(matches!(e.basis, Some(Basis::Proposal(ref id)) if *id == open["id"].as_str().unwrap()), "{:?}", e.basis);

    // They accept; the API names them regisseur, and the case page opens.
    let accepted = post(&app, &cb, &format!("/dossiers/{case}/regisseur/accepteren"), "").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    let history = app.get(&format!("/api/v1/cases/{case}/regisseur"), &app.token(&lead).await).await;
    assert!(history
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["status"] == "active" && a["userId"] == colleague.id.as_str()));
    assert_eq!(get(&app, &cb, &format!("/dossiers/{case}")).await.status, StatusCode::OK);
    assert_eq!(get(&app, &cb, &format!("/dossiers/{case}/voorstel")).await.status, StatusCode::NOT_FOUND, "answered");
    let team = get(&app, &b, "/team").await;
    assert!(!team.text.contains("<strong>geen regisseur</strong>"), "the caseload shows the regisseur now");
}

/// Where the team lets providers direct its cases, the teamleider may propose the provider involved.
#[actix_web::test]
async fn a_provider_is_offered_only_where_the_team_lets_providers_direct() {
    let app = TestApp::new().await;
    let (lead, member, provider) = (app.user(Role::Teamleider), app.user(Role::Wijkteam), app.user(Role::Provider));
    let case = case_by(&app, &member).await;
    let lt = app.token(&lead).await;
    let inv = app
        .post(
            &format!("/api/v1/cases/{case}/involvements"),
            &lt,
            json!({"userId": provider.id, "roleInCase": "jeugdhulp"}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.text);
    let b = sign_in(&app, &lead).await;
    let offered = |t: &str| {
        let form = &t[t.find("veld-userId").unwrap()..t.find("veld-familyChoice").unwrap()];
        form.contains(&provider.id)
    };
    assert!(!offered(&get(&app, &b, &format!("/dossiers/{case}")).await.text), "the team does not allow it");
    app.backend_sql(
        &format!("UPDATE teams SET provider_may_direct = 1 WHERE id = '{}'", app.team_id),
        &format!("UPDATE teams SET provider_may_direct = true WHERE id = '{}'", app.team_id),
    );
    assert!(offered(&get(&app, &b, &format!("/dossiers/{case}")).await.text), "now it does");
}

/// The caseload's API: the team's open cases exactly as the case list gives them to the same teamleider, with the
/// regisseur and the waiting proposal; a closed case and another team's case left out; the team's members by name.
#[actix_web::test]
async fn the_caseload_api_is_the_case_lists_open_cases_with_regisseur_and_proposal() {
    let app = TestApp::new().await;
    let (lead, creator, regisseur) = (app.user(Role::Teamleider), app.user(Role::Wijkteam), app.user(Role::Wijkteam));
    let directed = case_by(&app, &creator).await;
    direct(&app, &lead, &regisseur, &directed).await;
    let proposed = case_by(&app, &creator).await;
    let lt = app.token(&lead).await;
    let p = app
        .call(
            Method::PUT,
            &format!("/api/v1/cases/{proposed}/regisseur"),
            Some(&lt),
            Some(json!({"userId": creator.id})),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let closed = case_by(&app, &creator).await;
    let ct = app.token(&creator).await;
    let c = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{closed}/state"),
            Some(&ct),
            Some(json!({"state": "closed", "closeReason": "moved"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    let elsewhere = app.user_in_other_team(Role::Wijkteam);

    let load = app.get("/api/v1/caseload", &lt).await;
    assert_eq!(load.status, StatusCode::OK, "{}", load.text);
    let cases = load.body["cases"].as_array().unwrap();
    let list = app.get("/api/v1/cases", &lt).await;
    let open: Vec<&Value> = list.body["items"].as_array().unwrap().iter().filter(|c| c["state"] != "closed").collect();
    assert_eq!(cases.len(), open.len(), "the open cases of the list");
    for item in &open {
        let mine = cases.iter().find(|c| c["case"]["id"] == item["id"]).expect("in the caseload");
        assert_eq!(&mine["case"], *item, "the same projection as the case list");
    }
    assert!(!cases.iter().any(|c| c["case"]["id"] == closed.as_str()), "no closed case");
    let by_id = |id: &str| cases.iter().find(|c| c["case"]["id"] == id).unwrap();
    assert_eq!(by_id(&directed)["regisseur"]["userId"], regisseur.id.as_str());
    assert!(by_id(&directed).get("proposal").is_none());
    assert_eq!(by_id(&proposed)["proposal"]["userId"], creator.id.as_str());
    assert!(by_id(&proposed).get("regisseur").is_none());
    assert_eq!(cases.last().unwrap()["case"]["id"], directed.as_str(), "the directed case last");
    assert_eq!(by_id(&directed)["wijk"], "Centrum");
    let members = load.body["members"].as_array().unwrap();
    for user in [&lead, &creator, &regisseur] {
        assert!(members.iter().any(|m| m["userId"] == user.id.as_str()), "the team's members");
    }
    assert!(!members.iter().any(|m| m["userId"] == elsewhere.id.as_str()), "not another team's");
    assert!(!load.text.contains("Sanne de Vries") && !load.text.contains("2711"), "nothing of the household");
}

/// Involving a professional of another organisation: the page lists the provider professionals (name and
/// organisation, as the API's list) for the case's regisseur and the team's lead alone; the involvement shows on
/// the API's list; every field error at once, the choice kept, nothing involved.
#[actix_web::test]
async fn a_provider_professional_is_involved_from_their_own_page() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let case = case_by(&app, &creator).await;
    let lead = app.user(Role::Teamleider);
    let regisseur = app.user(Role::Wijkteam);
    direct(&app, &lead, &regisseur, &case).await;
    let aanbieder = app.user_in(Role::Provider, &app.organisation("Schuldhulp Stadsgewest", "provider"));
    let path = format!("/dossiers/{case}/betrokkenen/aanbieder");

    // Who may open it: the lead and the regisseur; the creator (involved, not directing) 403; another team's
    // lead 404; roles without the act 403.
    let other_lead = app.user_in_other_team(Role::Teamleider);
    let mut table: Vec<(TestUser, StatusCode)> = vec![
        (app.user(Role::Teamleider), StatusCode::OK),
        (regisseur.clone(), StatusCode::OK),
        (creator.clone(), StatusCode::FORBIDDEN),
        (other_lead, StatusCode::NOT_FOUND),
    ];
    for role in [Role::Signaller, Role::Matchregisseur, Role::PrivacyOfficer, Role::Admin] {
        table.push((app.user(role), StatusCode::FORBIDDEN));
    }
    // A provider may read cases, but this one is not theirs; nor another team's member's; a procescoördinator
    // reads those they adopted (an escalation), and adopted none.
    table.push((app.user(Role::Procescoordinator), StatusCode::NOT_FOUND));
    table.push((app.user(Role::Provider), StatusCode::NOT_FOUND));
    table.push((app.user_in_other_team(Role::Wijkteam), StatusCode::NOT_FOUND));
    for (user, expected) in &table {
        let b = sign_in(&app, user).await;
        let page = get(&app, &b, &path).await;
        assert_eq!(page.status, *expected, "{:?} {}", user.role, user.email);
        assert_eq!(page.text.contains("Schuldhulp Stadsgewest"), *expected == StatusCode::OK, "{:?}", user.role);
        let event = last_event_of(&app, user);
        assert_eq!(event.outcome, if *expected == StatusCode::OK { "allowed" } else { "denied" }, "{:?}", user.role);
        if *expected == StatusCode::OK {
            assert_eq!(event.case_id.as_deref(), Some(case.as_str()));
        }
        // The API answers the same.
        if user.totp_secret.is_none() {
            let api = app.get(&format!("/api/v1/cases/{case}/involvements/providers"), &app.token(user).await).await;
            assert_eq!(api.status, *expected, "{:?}", user.role);
        }
    }

    let b = sign_in(&app, &lead).await;
    let page = get(&app, &b, &path).await;
    assert!(page.text.contains(&format!("value=\"{}\"", aanbieder.id)), "{}", page.text);
    // Nothing chosen, nothing said: both errors at once, nothing involved.
    let res = post(&app, &b, &path, "user_id=&role_in_case=").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("href=\"#veld-userId\"") && res.text.contains("href=\"#veld-roleInCase\""));
    // A choice without the role: the choice kept.
    let res = post(&app, &b, &path, &format!("user_id={}&role_in_case=", aanbieder.id)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains(&format!("value=\"{}\" selected", aanbieder.id)), "the choice is kept");
    assert!(!involvements(&app, &lead, &case).await.iter().any(|i| i["userId"] == aanbieder.id.as_str()));

    let res = post(&app, &b, &path, &format!("user_id={}&role_in_case=schuldhulpverlener", aanbieder.id)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    let list = involvements(&app, &lead, &case).await;
    let it = list.iter().find(|i| i["userId"] == aanbieder.id.as_str()).expect("involved");
    assert_eq!(it["kind"], "provider");
    // Again: a conflict in words, nothing doubled.
    let res = post(&app, &b, &path, &format!("user_id={}&role_in_case=schuldhulpverlener", aanbieder.id)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text.contains("al betrokken"));
    assert_eq!(
        involvements(&app, &lead, &case).await.iter().filter(|i| i["userId"] == aanbieder.id.as_str()).count(),
        1
    );
}
