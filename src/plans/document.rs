//! The family's copy of a plan version: one printable HTML page in plain Dutch — the goals, who does what by when,
//! and how to reach the people involved. Producing it is audited as an export.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::model::{Agreement, GoalStatus, OwnerKind, PlanContent};
use super::service::{find, plan_of, references};
use super::store;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::Ctx;

/// Someone involved, as the family reads it.
pub struct Contact {
    pub name: String,
    pub organisation: String,
    pub role: String,
    pub email: String,
}

pub struct DocumentInput<'a> {
    pub number: i32,
    pub status: &'a str,
    pub agreed_on: Option<NaiveDate>,
    /// The family's recorded answer (agreement or refusal, with their own words).
    pub agreement: Option<&'a Agreement>,
    pub content: &'a PlanContent,
    /// Person id → name.
    pub members: &'a HashMap<String, String>,
    /// User id → contact.
    pub contacts: &'a HashMap<String, Contact>,
    pub printed_on: NaiveDate,
}

/// Makes text safe inside HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const MONTHS: [&str; 12] = [
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

/// `15 januari 2027`.
pub fn dutch_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

fn domain_name(code: &str) -> &'static str {
    match code {
        "financien" | "hh_financien" => "Geld",
        "werk_opleiding" => "Werk en school",
        "tijdsbesteding" => "Dagbesteding",
        "huisvesting" | "hh_huisvesting" => "Wonen",
        "huiselijke_relaties" | "hh_relaties_in_huis" => "Relaties thuis",
        "geestelijke_gezondheid" => "Hoe je je voelt",
        "lichamelijke_gezondheid" => "Gezondheid",
        "middelengebruik" => "Alcohol en drugs",
        "basale_adl" => "Voor jezelf zorgen",
        "instrumentele_adl" => "Dagelijkse dingen regelen",
        "sociaal_netwerk" | "hh_sociale_omgeving" => "Mensen om je heen",
        "maatschappelijke_participatie" => "Meedoen",
        "justitie" => "Politie en justitie",
        "hh_organisatie_huishouden" => "Het huishouden",
        _ => "Overig",
    }
}

fn goal_status(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Open => "we werken eraan",
        GoalStatus::Achieved => "gelukt",
        GoalStatus::PartlyAchieved => "deels gelukt",
        GoalStatus::NotAchieved => "niet gelukt",
        GoalStatus::Dropped => "gestopt",
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "<p>—</p>".into();
    }
    format!("<ul>{}</ul>", items.iter().map(|i| format!("<li>{}</li>", escape(i))).collect::<String>())
}

pub fn render(d: &DocumentInput) -> String {
    let c = d.content;
    let mut html = String::new();
    html.push_str(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Ons gezinsplan</title><style>\
         body{font-family:Verdana,sans-serif;font-size:12pt;line-height:1.5;max-width:48rem;margin:2rem auto;color:#111}\
         h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #999;margin-top:2rem}\
         table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\
         .goal{break-inside:avoid;margin-bottom:1.5rem}.small{color:#444;font-size:10pt}\
         .statement{white-space:pre-wrap;border-left:4px solid #999;padding-left:1rem}\
         @media print{body{margin:0}a{color:#111;text-decoration:none}}</style></head><body>",
    );
    html.push_str("<h1>Ons gezinsplan</h1>");
    let refused = d.agreement.is_some_and(|a| a.refused);
    let state = match (d.status, d.agreed_on) {
        ("draft", _) => "Dit is een voorstel. Het is nog niet afgesproken.".to_string(),
        // A refusal is recorded as the plan's answer too; the family's document must never call it agreed.
        (_, Some(day)) if refused => {
            format!("Wij zijn het niet eens met dit plan. Dat is op {} vastgelegd.", dutch_date(day))
        }
        _ if refused => "Wij zijn het niet eens met dit plan.".to_string(),
        (_, Some(day)) => format!("Dit plan hebben we samen afgesproken op {}.", dutch_date(day)),
        _ => "Dit plan is afgesproken.".to_string(),
    };
    html.push_str(&format!(
        "<p>Versie {}. {} Afgedrukt op {}.</p>",
        d.number,
        escape(&state),
        dutch_date(d.printed_on)
    ));

    if let Some(words) = d.agreement.and_then(|a| a.statement.as_deref()) {
        // Word for word, line breaks kept: only escaped, never trimmed or rewritten.
        html.push_str("<h2>In onze eigen woorden</h2>");
        html.push_str(&format!("<p class=\"statement\">{}</p>", escape(words)));
    }

    html.push_str("<h2>Wat goed gaat</h2>");
    html.push_str(&list(&c.strengths));
    html.push_str("<h2>Waar we ons zorgen over maken</h2>");
    let concerns: Vec<String> = c.concerns.iter().map(|x| x.description.clone()).collect();
    html.push_str(&list(&concerns));
    html.push_str("<h2>Wat we zelf doen, en wie ons helpt</h2>");
    html.push_str(&list(&c.own_efforts));

    html.push_str("<h2>Onze doelen</h2>");
    for (i, g) in c.goals.iter().enumerate() {
        let who = match &g.person_id {
            Some(p) => d.members.get(p).cloned().unwrap_or_else(|| "een van ons".into()),
            None => "het hele gezin".into(),
        };
        let domain = g.domain.as_deref().map(domain_name).unwrap_or("Overig");
        html.push_str(&format!(
            "<div class=\"goal\"><h3>Doel {}: {}</h3><p class=\"small\">Over: {} · Voor: {} · Hoe staat het: {}</p>",
            i + 1,
            escape(&g.description),
            escape(domain),
            escape(&who),
            goal_status(g.status)
        ));
        if let Some(t) = &g.target {
            html.push_str(&format!("<p>Het is gelukt als: {}</p>", escape(t)));
        }
        if let Some(due) = g.due_date {
            html.push_str(&format!("<p>Wanneer: vóór {}</p>", dutch_date(due)));
        }
        let actions: Vec<_> = c.actions.iter().filter(|a| a.goal_id == g.id).collect();
        if !actions.is_empty() {
            html.push_str("<table><tr><th scope=\"col\">Wie</th><th scope=\"col\">Doet wat</th><th scope=\"col\">Wanneer klaar</th></tr>");
            for a in actions {
                let who = match &a.owner {
                    Some(o) => match o.kind {
                        OwnerKind::Professional => o
                            .user_id
                            .as_ref()
                            .and_then(|u| d.contacts.get(u))
                            .map(|ct| format!("{} ({})", ct.name, ct.organisation))
                            .unwrap_or_else(|| "een hulpverlener".into()),
                        OwnerKind::Member => o
                            .person_id
                            .as_ref()
                            .and_then(|p| d.members.get(p))
                            .cloned()
                            .unwrap_or_else(|| "een van ons".into()),
                        OwnerKind::Network => o.name.clone().unwrap_or_else(|| "iemand uit ons netwerk".into()),
                    },
                    None => "nog niet afgesproken".into(),
                };
                let due = a.due_date.map(dutch_date).unwrap_or_else(|| "nog niet afgesproken".into());
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&who),
                    escape(&a.description),
                    escape(&due)
                ));
            }
            html.push_str("</table>");
        }
        html.push_str("</div>");
    }
    if let Some(next) = c.next_evaluation_date {
        html.push_str(&format!(
            "<h2>Wanneer we weer samen kijken</h2><p>Op {} bespreken we samen hoe het gaat.</p>",
            dutch_date(next)
        ));
    }
    html.push_str(
        "<h2>Wie helpen ons</h2><table><tr><th scope=\"col\">Naam</th><th scope=\"col\">Organisatie</th><th scope=\"col\">Rol</th><th scope=\"col\">E-mail</th></tr>",
    );
    let mut contacts: Vec<&Contact> = d.contacts.values().collect();
    contacts.sort_by(|a, b| a.name.cmp(&b.name));
    for ct in contacts {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&ct.name),
            escape(&ct.organisation),
            escape(&ct.role),
            escape(&ct.email)
        ));
    }
    html.push_str(
        "</table><p class=\"small\">Dit plan is van jullie. Klopt er iets niet, of willen jullie iets veranderen? \
                   Zeg het tegen jullie regisseur.</p></body></html>",
    );
    html
}

/// The document of a version, for those who work in the case. Audited as `plan.export`.
pub async fn document(ctx: &Ctx, case_id: String, which: String) -> AppResult<String> {
    ctx.state.access.decide_plan_export(&ctx.principal, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        // An export is for those who work in the case: not for providers, not under break-glass.
        let plan = plan_of(ctx, c, &case_id)?;
        ctx.state.access.require_case_work(&plan, &ctx.audit)?;
        let case = &plan.case;
        let row = find(c, &case.id, &which)?;
        let content: PlanContent = serde_json::from_str(&row.content).map_err(AppError::internal)?;
        let agreement: Option<Agreement> =
            row.agreement.as_deref().map(serde_json::from_str).transpose().map_err(AppError::internal)?;
        let (member_ids, _) = references(c, case)?;
        let ids: Vec<String> = member_ids.into_iter().collect();
        let members: HashMap<String, String> = store::person_names(c, &ids)?.into_iter().collect();
        ctx.audit.persons(ids);
        let mut contacts = HashMap::new();
        for row in store::contacts(c, &case.id, now())? {
            // One line per person: the regisseur role wins over a team-member involvement.
            let role = row.role_in_case;
            let entry = contacts.entry(row.user_id).or_insert(Contact {
                name: row.name,
                organisation: row.organisation,
                role: role.clone(),
                email: row.email,
            });
            if role == "regisseur" {
                entry.role = role;
            }
        }
        Ok(render(&DocumentInput {
            number: row.number,
            status: &row.status,
            agreed_on: row.agreed_at.map(|t| t.date()),
            agreement: agreement.as_ref(),
            content: &content,
            members: &members,
            contacts: &contacts,
            printed_on: now().date(),
        }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::model::{Action, Goal, Owner};

    #[test]
    fn the_document_is_dutch_escaped_and_names_who_does_what() {
        let content = PlanContent {
            strengths: vec!["Moeder <vraagt> zelf hulp".into()],
            goals: vec![Goal {
                id: "g1".into(),
                domain: Some("financien".into()),
                person_id: Some("p1".into()),
                description: "Grip op geld".into(),
                target: Some("Huur op tijd".into()),
                target_score: None,
                due_date: NaiveDate::from_ymd_opt(2027, 1, 15),
                status: GoalStatus::Open,
            }],
            actions: vec![Action {
                id: "a1".into(),
                goal_id: "g1".into(),
                description: "Budgetplan maken".into(),
                owner: Some(Owner {
                    kind: OwnerKind::Professional,
                    user_id: Some("u1".into()),
                    organisation_id: None,
                    person_id: None,
                    name: None,
                }),
                due_date: NaiveDate::from_ymd_opt(2026, 12, 1),
            }],
            next_evaluation_date: NaiveDate::from_ymd_opt(2027, 3, 1),
            ..PlanContent::default()
        };
        let members: HashMap<String, String> = [("p1".to_string(), "Samira".to_string())].into();
        let contacts: HashMap<String, Contact> = [(
            "u1".to_string(),
            Contact {
                name: "Jan Wijk".into(),
                organisation: "Gemeente".into(),
                role: "regisseur".into(),
                email: "jan@x.nl".into(),
            },
        )]
        .into();
        let html = render(&DocumentInput {
            number: 2,
            status: "agreed",
            agreed_on: NaiveDate::from_ymd_opt(2026, 11, 2),
            agreement: None,
            content: &content,
            members: &members,
            contacts: &contacts,
            printed_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        });
        assert!(html.contains("afgesproken op 2 november 2026"));
        assert!(html.contains("Moeder &lt;vraagt&gt; zelf hulp"), "user text is escaped");
        assert!(!html.contains("<vraagt>"));
        assert!(html.contains("Voor: Samira"));
        assert!(html.contains("<td>Jan Wijk (Gemeente)</td><td>Budgetplan maken</td><td>1 december 2026</td>"));
        assert!(html.contains("Op 1 maart 2027 bespreken we samen"));
        assert!(html.contains("jan@x.nl"));
    }
}
