//! Inzage, the privacy officer's screens: finding a person by BSN (a POST; the BSN in no URL, audited as the API's
//! lookup), who saw their data (the API's overview: the same lines, audited the same way), the employees' names
//! only for a reason sent by POST, and the printable letter for the person without names. Every other role is
//! refused each page. On SQLite and PostgreSQL.

mod common;

use actix_web::http::StatusCode;

use common::pages::WebSession;
use common::world::child_with_bsn;
use common::{TestApp, TestUser};
use eenplan::access::Role;

fn last_event_of(app: &TestApp, user: &TestUser) -> eenplan::audit::model::EventData {
    app.audit_events().into_iter().rev().find(|e| e.data.user_id.as_deref() == Some(&user.id)).unwrap().data
}

/// The rows of the page's (first) table body.
fn table_rows(html: &str) -> usize {
    html.split("<tbody>")
        .nth(1)
        .map(|b| b.split("</tbody>").next().unwrap_or_default().matches("<tr>").count())
        .unwrap_or(0)
}

/// A child known by `bsn` in a household of `creator`'s team, whose case `creator` read three times.
async fn child_with_accesses(app: &TestApp, creator: &TestUser, bsn: &str) -> String {
    let (_, case, child) = child_with_bsn(app, creator, bsn).await;
    let token = app.token(creator).await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &token).await.status, StatusCode::OK);
    }
    child
}

#[actix_web::test]
async fn the_privacy_officer_finds_a_person_by_bsn_and_sees_who_saw_their_data() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let bsn = eenplan::crypto::bsn::synthetic(77).expose().to_string();
    let person = child_with_accesses(&app, &creator, &bsn).await;
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let web: WebSession = app.web_sign_in_after_api(&officer).await;

    let start = web.get(&app, "/inzage").await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    assert!(start.body.contains("href=\"/inzage\""), "the header offers Inzage");

    // By BSN: a POST, then the person's page by id; the BSN is in no URL and in no event.
    let found = web.post(&app, "/inzage/zoeken", &[("bsn", &bsn)], None).await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
    assert_eq!(found.location.as_deref(), Some(format!("/inzage/personen/{person}").as_str()));
    let e = last_event_of(&app, &officer);
    assert_eq!((e.action.as_str(), e.resource_id.as_deref()), ("audit_event.search", Some(person.as_str())));
    assert!(!serde_json::to_string(&e).unwrap().contains(&bsn));
    let wrong = web.post(&app, "/inzage/zoeken", &[("bsn", "123456789")], None).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Dit is geen geldig BSN."), "{}", wrong.body);
    let nobody = eenplan::crypto::bsn::synthetic(78).expose().to_string();
    let unknown = web.post(&app, "/inzage/zoeken", &[("bsn", &nobody)], None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("eenplan kent niemand met dit BSN."), "{}", unknown.body);
    assert!(!unknown.body.contains(&nobody), "a BSN no one has is not shown again");

    // The page is the API's overview: the API's lines, and one access more (the API's own overview names them).
    let api = app.get(&format!("/api/v1/audit/persons/{person}/overview"), &token).await;
    assert_eq!(api.status, StatusCode::OK);
    let page = web.get(&app, &format!("/inzage/personen/{person}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Wie zag de gegevens van Noor Bakker?"), "{}", page.body);
    let api_accesses = api.body["accesses"].as_i64().unwrap();
    assert!(page.body.contains(&format!("{} keer bekeken of veranderd", api_accesses + 1)), "{}", page.body);
    let api_lines = api.body["lines"].as_array().unwrap().len();
    let rows = table_rows(&page.body);
    assert!(rows == api_lines || rows == api_lines + 1, "{rows} rows, {api_lines} lines");
    assert!(page.body.contains("Dossier bekeken"), "{}", page.body);
    assert!(page.body.contains("<td>3</td>"), "three reads on one line: {}", page.body);
    assert!(!page.body.contains("Test wijkteam"), "no names by default");
    let seen = last_event_of(&app, &officer);
    let via_api = app.audit_events().into_iter().rev().find(|e| e.data.action == "audit_event.read").unwrap();
    assert_eq!((seen.action.as_str(), seen.resource_id.as_deref()), ("audit_event.read", Some(person.as_str())));
    assert_eq!(seen.person_ids, vec![person.clone()]);
    assert_eq!(via_api.data.basis, seen.basis);

    // Names only for a reason, sent by POST and kept in the event.
    let no_reason = web.post(&app, &format!("/inzage/personen/{person}/namen"), &[("reason", " ")], None).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Schrijf op waarom u de namen nodig heeft."), "{}", no_reason.body);
    assert!(!no_reason.body.contains("Test wijkteam"));
    let reason = "Klacht van de moeder over inzage";
    let named = web.post(&app, &format!("/inzage/personen/{person}/namen"), &[("reason", reason)], None).await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    assert!(named.body.contains("Test wijkteam"), "{}", named.body);
    assert!(named.body.contains("<th scope=\"col\">Medewerkers</th>"));
    assert_eq!(last_event_of(&app, &officer).reason.as_deref(), Some(reason));
    assert!(named.body.contains(&format!("met als reden: <q>{reason}</q>")), "{}", named.body);

    // A period: dates both inclusive; one that runs backwards, or is no date, changes nothing and says so.
    let backwards = web.get(&app, &format!("/inzage/personen/{person}?van=01-02-2027&tot=01-01-2027")).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(backwards.body.contains("Deze datum mag niet voor de begindatum liggen."), "{}", backwards.body);
    let nonsense = web.get(&app, &format!("/inzage/personen/{person}?van=gisteren")).await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long_ago = web.get(&app, &format!("/inzage/personen/{person}?tot=31-12-2000")).await;
    assert_eq!(long_ago.status, StatusCode::OK);
    assert!(long_ago.body.contains("In deze periode heeft niemand de gegevens bekeken."), "{}", long_ago.body);

    // The letter for the person: plain words, no names, audited as the overview.
    let letter = web.get(&app, &format!("/inzage/personen/{person}/afdrukken")).await;
    assert_eq!(letter.status, StatusCode::OK, "{}", letter.body);
    assert!(letter.body.contains("Wie heeft uw gegevens bekeken?"));
    assert!(letter.body.contains("<strong>Noor Bakker</strong>"));
    assert!(!letter.body.contains("Test wijkteam") && !letter.body.contains(&creator.id));
    assert!(!letter.body.contains(&bsn));
    assert_eq!(last_event_of(&app, &officer).action, "audit_event.read");

    let missing = web.get(&app, &format!("/inzage/personen/{}", eenplan::db::new_id())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn only_the_privacy_officer_opens_inzage() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let bsn = eenplan::crypto::bsn::synthetic(79).expose().to_string();
    let person = child_with_accesses(&app, &creator, &bsn).await;
    for role in Role::ALL {
        let user = app.user(role);
        let _ = app.token(&user).await;
        let web = app.web_sign_in_after_api(&user).await;
        let ok = role == Role::PrivacyOfficer;
        let expected = if ok { StatusCode::OK } else { StatusCode::FORBIDDEN };
        for path in [
            "/inzage".to_string(),
            format!("/inzage/personen/{person}"),
            format!("/inzage/personen/{person}/afdrukken"),
        ] {
            let page = web.get(&app, &path).await;
            assert_eq!(page.status, expected, "{role:?} {path}");
            if !ok {
                assert!(!page.body.contains("Noor Bakker"), "{role:?} {path}");
            }
        }
        let found = web.post(&app, "/inzage/zoeken", &[("bsn", &bsn)], None).await;
        assert_eq!(found.status, if ok { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN }, "{role:?}");
        let e = last_event_of(&app, &user);
        assert_eq!(
            (e.action.as_str(), e.outcome.as_str()),
            ("audit_event.search", if ok { "allowed" } else { "denied" })
        );
        let named = web.post(&app, &format!("/inzage/personen/{person}/namen"), &[("reason", "onderzoek")], None).await;
        assert_eq!(named.status, expected, "{role:?}");
        assert_eq!(named.body.contains("<th scope=\"col\">Medewerkers</th>"), ok, "{role:?}");
        let home = web.get(&app, "/account").await;
        assert_eq!(home.body.contains("href=\"/inzage\""), ok, "{role:?}: the nav item");
    }
}

/// Logboek: the API's event list with the page's filters (per employee, per case, per day), its CSV the API's
/// export, and the register; each audited as the API's; bad filters named all at once.
#[actix_web::test]
async fn the_log_views_and_the_register_are_the_apis() {
    let app = TestApp::new().await;
    let creator = app.user(Role::Wijkteam);
    let bsn = eenplan::crypto::bsn::synthetic(80).expose().to_string();
    let _ = child_with_accesses(&app, &creator, &bsn).await;
    let case = app
        .audit_events()
        .into_iter()
        .rev()
        .find(|e| e.data.action == "case.read")
        .and_then(|e| e.data.case_id)
        .unwrap();
    let officer = app.user(Role::PrivacyOfficer);
    let token = app.token(&officer).await;
    let web = app.web_sign_in_after_api(&officer).await;

    let page = web.get(&app, &format!("/inzage/logboek?dossier={case}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let e = last_event_of(&app, &officer);
    assert_eq!((e.action.as_str(), e.case_id.as_deref()), ("audit_event.list", Some(case.as_str())));
    let api = app.get(&format!("/api/v1/audit/events?caseId={case}"), &token).await;
    // The API's read came after the page's, and names the case too: the page showed the rest.
    assert_eq!(table_rows(&page.body) + 1, api.body["items"].as_array().unwrap().len());
    assert_eq!(page.body.matches("Dossier bekeken").count(), 3, "{}", page.body);
    assert!(page.body.contains("Test wijkteam") && page.body.contains("Wijkteamwerk"));
    assert!(!page.body.contains(&bsn) && !page.body.contains("Noor Bakker"), "no BSN, no client's name");

    let mine = web.get(&app, &format!("/inzage/logboek?medewerker={}", creator.id)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(last_event_of(&app, &officer).resource_id.as_deref(), Some(creator.id.as_str()));
    let today = eenplan::calendar::local(chrono::Utc::now()).date().format("%d-%m-%Y").to_string();
    let day = web.get(&app, &format!("/inzage/logboek?dag={today}&uitkomst=toegestaan")).await;
    assert_eq!(day.status, StatusCode::OK);
    assert!(day.body.contains("Dossier bekeken"));
    let none = web.get(&app, "/inzage/logboek?dag=01-01-2001").await;
    assert!(none.body.contains("Niets gevonden"), "{}", none.body);
    let bad = web.get(&app, "/inzage/logboek?medewerker=iemand&dag=morgen&uitkomst=misschien").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Er zijn 3 fouten in het formulier"), "{}", bad.body);

    let csv = app
        .web_call(
            actix_web::http::Method::GET,
            &format!("/inzage/logboek.csv?dossier={case}"),
            &[(common::pages::SESSION_COOKIE, &web.cookie)],
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert_eq!(csv.text.matches(",case.read,").count(), 3, "{}", csv.text);
    assert_eq!(last_event_of(&app, &officer).action, "audit_event.export");

    let register = web.get(&app, "/inzage/register").await;
    assert_eq!(register.status, StatusCode::OK);
    assert!(register.body.contains("Verwijsindex") && register.body.contains("Bewaartermijn"));
    assert_eq!(last_event_of(&app, &officer).action, "processing_register.read");
    let register_csv = web.get(&app, "/inzage/register.csv").await;
    assert!(register_csv.body.starts_with("code,naam,doel,"), "{}", register_csv.body);

    for role in Role::ALL.into_iter().filter(|r| *r != Role::PrivacyOfficer) {
        let user = app.user(role);
        let _ = app.token(&user).await;
        let web = app.web_sign_in_after_api(&user).await;
        for path in ["/inzage/logboek", "/inzage/logboek.csv", "/inzage/register", "/inzage/register.csv"] {
            assert_eq!(web.get(&app, path).await.status, StatusCode::FORBIDDEN, "{role:?} {path}");
        }
    }
}
