//! Matches. A signaller sees "Mijn matches" — the matches of their own signals, with the other professionals'
//! contact details (the API's `GET /api/v1/matches` as a member sees it) — and confirms contact
//! (`POST /api/v1/matches/{id}/contact`). The matchregisseur sees the same pages as the follower: the matches still
//! waiting for contact, overdue first, with who has and has not confirmed — never the person, never contact details —
//! and reminds those who have not (`POST /api/v1/matches/{id}/remind`). `/matches/{id}` is where the emails link.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::dutch;
use super::page::{render, render_with, see_other, Form, Layout, Page, PageResult};
use crate::error::AppError;
use crate::http::Query;
use crate::input::Id;
use crate::notify::model::match_kind_words;
use crate::signals::model::REMINDER_INTERVAL_HOURS;
use crate::signals::service::{self, Match, MatchQuery, CONFIRM_WORKING_DAYS};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/matches").route(web::get().to(list)))
        .service(web::resource("/matches/{id}").route(web::get().to(one)))
        .service(web::resource("/matches/{id}/contact").route(web::post().to(confirm)))
        .service(web::resource("/matches/{id}/herinneren").route(web::post().to(remind)));
}

/// A professional in a match, as the page shows them.
pub struct MemberRow {
    pub name: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub own: bool,
    pub since: String,
    /// "Ja, op 3 december 2026" or "Nog niet".
    pub confirmed: Option<String>,
}

pub struct MatchCard {
    pub id: String,
    pub words: &'static str,
    pub since: String,
    pub overdue: bool,
    pub members: Vec<MemberRow>,
    /// The caller (a signaller) has not confirmed contact yet: the button is offered.
    pub own_unconfirmed: bool,
    /// Everyone has confirmed.
    pub all_confirmed: bool,
}

fn card(m: Match) -> MatchCard {
    let own_unconfirmed = m.members.iter().any(|x| x.own && x.contact_confirmed_at.is_none());
    let all_confirmed = m.members.iter().all(|x| x.contact_confirmed_at.is_some());
    MatchCard {
        words: match_kind_words(m.kind.as_str()),
        since: dutch::date(m.created_at.date_naive()),
        overdue: m.overdue,
        own_unconfirmed,
        all_confirmed,
        members: m
            .members
            .into_iter()
            .map(|x| MemberRow {
                name: x.name,
                organisation: x.organisation,
                phone: x.phone,
                email: x.email,
                own: x.own,
                since: dutch::date(x.joined_at.date_naive()),
                confirmed: x.contact_confirmed_at.map(|t| dutch::date(t.date_naive())),
            })
            .collect(),
        id: m.id,
    }
}

/// Whether the caller sees matches as the matchregisseur (a follower), not as a signaller in them.
fn follows(page: &Page) -> bool {
    service::follows_matches(&page.ctx)
}

#[derive(Template)]
#[template(path = "matches.html")]
struct ListPage {
    layout: Layout,
    follower: bool,
    matches: Vec<MatchCard>,
    working_days: i64,
    more: bool,
}

const LIMIT: i64 = 200;

async fn list(page: Page) -> PageResult {
    let follower = follows(&page);
    let query = |overdue| MatchQuery { overdue, limit: Some(LIMIT), after: None };
    let (matches, more) = if follower {
        // Overdue first, then those still waiting; fully confirmed ones need no follow-up.
        let overdue = page.act(service::list_matches(&page.ctx, query(Some(true)))).await?;
        let waiting = service::list_matches(&page.ctx, query(Some(false))).await?;
        let more = overdue.next.is_some() || waiting.next.is_some();
        let rest = waiting.items.into_iter().filter(|m| m.members.iter().any(|x| x.contact_confirmed_at.is_none()));
        (overdue.items.into_iter().chain(rest).map(card).collect(), more)
    } else {
        let mine = page.act(service::list_matches(&page.ctx, query(None))).await?;
        let more = mine.next.is_some();
        let mut cards: Vec<MatchCard> = mine.items.into_iter().map(card).collect();
        // What still asks something of the signaller first, newest first within each.
        cards.reverse();
        cards.sort_by_key(|c| !c.own_unconfirmed);
        (cards, more)
    };
    let title = if follower { "Matches" } else { "Mijn matches" };
    render(&ListPage {
        layout: page.layout(title, "matches"),
        follower,
        matches,
        working_days: CONFIRM_WORKING_DAYS,
        more,
    })
}

#[derive(Template)]
#[template(path = "matches_one.html")]
struct OnePage {
    layout: Layout,
    follower: bool,
    m: MatchCard,
    working_days: i64,
    /// Why the last form could not be done, in Dutch.
    problem: Option<String>,
}

#[derive(Deserialize)]
struct OneQuery {
    gedaan: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "contact" => Some("U heeft bevestigd dat u contact heeft gehad."),
        "herinnerd" => Some("De herinnering is verstuurd naar wie nog niet heeft bevestigd."),
        _ => None,
    }
}

async fn show(
    page: &Page,
    id: String,
    status: StatusCode,
    notice: Option<&'static str>,
    problem: Option<String>,
) -> PageResult {
    let m = page.act(service::get_match(&page.ctx, id)).await?;
    let follower = follows(page);
    let view = OnePage {
        layout: page.layout("Match", "matches").with_notice(notice),
        follower,
        m: card(m),
        working_days: CONFIRM_WORKING_DAYS,
        problem,
    };
    render_with(status, &view)
}

/// One match; 404 to whoever may not see it (a signaller with no signal in it, or no such match).
async fn one(page: Page, id: web::Path<Id>, q: Query<OneQuery>) -> PageResult {
    show(&page, id.into_inner().into(), StatusCode::OK, notice(q.into_inner().gedaan.as_deref()), None).await
}

#[derive(Deserialize)]
struct Empty {}

async fn confirm(page: Page, id: web::Path<Id>, _form: Form<Empty>) -> PageResult {
    let id: String = id.into_inner().into();
    page.act(service::confirm_contact(&page.ctx, id.clone())).await?;
    Ok(see_other(&format!("/matches/{id}?gedaan=contact")))
}

async fn remind(page: Page, id: web::Path<Id>, _form: Form<Empty>) -> PageResult {
    let id: String = id.into_inner().into();
    match page.act(service::remind(&page.ctx, id.clone())).await {
        Ok(_) => Ok(see_other(&format!("/matches/{id}?gedaan=herinnerd"))),
        Err(AppError::Conflict(why)) => {
            let problem = if why.starts_with("Everyone") {
                "Iedereen in deze match heeft al bevestigd dat er contact is geweest. Een herinnering is niet nodig."
                    .to_string()
            } else {
                format!(
                    "Voor deze match is in de afgelopen {REMINDER_INTERVAL_HOURS} uur al een herinnering verstuurd. \
                     U kunt morgen opnieuw herinneren."
                )
            };
            // The page as it is now, with why nothing was sent.
            show(&page, id, StatusCode::CONFLICT, None, Some(problem)).await
        }
        Err(e) => Err(e.into()),
    }
}
