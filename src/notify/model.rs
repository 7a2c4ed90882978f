//! The Dutch emails. Each says that something needs attention and links to it; none names, dates or locates the
//! person or household, or says what is wrong. Contact details are those of professionals. No I/O.

use serde::Serialize;

/// What a queued message is about; stored as `outbox.template`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// To privacy officers: someone used break-glass. Payload `breakGlassId`.
    BreakGlassUsed,
    /// To a professional proposed as regisseur. Payload `caseId`.
    RegisseurProposed,
    /// To each signaller in a match. Payload `matchId`.
    MatchFound,
    /// To the matchregisseur: a new match. Payload `matchId`.
    MatchCreated,
    /// To the matchregisseur: a match waits for contact confirmations too long. Payload `matchId`.
    MatchOverdue,
    /// To a new signaller: an archived signal on the same subject. Payload `signalId` (the archived one).
    ArchivedSignal,
    /// To a signaller in a match who has not confirmed contact: the matchregisseur reminds them. Payload `matchId`.
    MatchReminder,
    /// To the addressee of an escalation's level (raised or risen). Payload `caseId`, `escalationId`.
    EscalationRaised,
    /// To each professional involved in an adopted case: the procescoördinator convenes them. Payload `caseId`,
    /// `escalationId`.
    EscalationConvened,
}

impl Template {
    pub const ALL: [Template; 9] = [
        Template::BreakGlassUsed,
        Template::RegisseurProposed,
        Template::MatchFound,
        Template::MatchCreated,
        Template::MatchOverdue,
        Template::ArchivedSignal,
        Template::MatchReminder,
        Template::EscalationRaised,
        Template::EscalationConvened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::BreakGlassUsed => "break_glass_used",
            Template::RegisseurProposed => "regisseur_proposed",
            Template::MatchFound => "match_found",
            Template::MatchCreated => "match_created",
            Template::MatchOverdue => "match_overdue",
            Template::ArchivedSignal => "archived_signal",
            Template::MatchReminder => "match_reminder",
            Template::EscalationRaised => "escalation_raised",
            Template::EscalationConvened => "escalation_convened",
        }
    }

    pub fn parse(s: &str) -> Option<Template> {
        Template::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A professional to contact: what a signaller needs to reach another signaller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfessionalContact {
    pub name: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// What a message says, filled in at delivery from ids in its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    BreakGlassUsed { break_glass_id: String },
    RegisseurProposed { case_id: String },
    MatchFound { match_id: String, kind: String, others: Vec<ProfessionalContact> },
    MatchCreated { match_id: String, kind: String },
    MatchOverdue { match_id: String },
    ArchivedSignal { signal_id: String, earlier: ProfessionalContact },
    MatchReminder { match_id: String },
    EscalationRaised { escalation_id: String },
    EscalationConvened { escalation_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// The kind of match in words.
pub fn match_kind_words(kind: &str) -> &'static str {
    match kind {
        "person" => "dezelfde jongere",
        "address" => "iemand op hetzelfde adres",
        "parent" => "een kind van dezelfde ouder",
        _ => "een verwante persoon",
    }
}

fn contact_lines(c: &ProfessionalContact) -> String {
    let mut out = format!("- {} ({})\n", c.name, c.organisation);
    if let Some(phone) = &c.phone {
        out.push_str(&format!("  telefoon: {phone}\n"));
    }
    if let Some(email) = &c.email {
        out.push_str(&format!("  e-mail: {email}\n"));
    }
    out
}

const FOOTER: &str = "\nDit bericht bevat bewust geen gegevens over personen. Log in bij eenplan om meer te zien.\n\
                      U ontvangt dit bericht omdat u in eenplan werkt; beantwoorden is niet mogelijk.\n";

/// The email for a message; `base` is the web client's address.
pub fn render(message: &Message, base: &str) -> Email {
    let (subject, text) = match message {
        Message::BreakGlassUsed { break_glass_id } => (
            "eenplan: noodtoegang gebruikt, uw beoordeling is nodig".to_string(),
            format!(
                "Een medewerker heeft noodtoegang (break-glass) tot een casus gebruikt.\n\
                 Beoordeel binnen vijf werkdagen of dit gerechtvaardigd was:\n{base}/noodtoegang/{break_glass_id}\n"
            ),
        ),
        Message::RegisseurProposed { case_id } => (
            "eenplan: u bent voorgesteld als regisseur".to_string(),
            format!("U bent voorgesteld als regisseur van een casus. Neem het voorstel aan of wijs het af:\n{base}/dossiers/{case_id}\n"),
        ),
        Message::MatchFound { match_id, kind, others } => {
            let mut text = format!(
                "Een andere organisatie heeft een signaal afgegeven over {}.\n\
                 Neem contact met elkaar op en bevestig dat in eenplan:\n{base}/matches/{match_id}\n\n\
                 Contactgegevens:\n",
                match_kind_words(kind)
            );
            for c in others {
                text.push_str(&contact_lines(c));
            }
            ("eenplan: er is een match op uw signaal".to_string(), text)
        }
        Message::MatchCreated { match_id, kind } => (
            "eenplan: nieuwe match".to_string(),
            format!(
                "Er is een nieuwe match ({}). Volg of de betrokkenen contact opnemen:\n{base}/matches/{match_id}\n",
                match_kind_words(kind)
            ),
        ),
        Message::MatchOverdue { match_id } => (
            "eenplan: match wacht op contactbevestiging".to_string(),
            format!(
                "Bij een match hebben na tien werkdagen nog niet alle betrokkenen bevestigd dat zij contact hebben \
                 gehad:\n{base}/matches/{match_id}\n"
            ),
        ),
        Message::ArchivedSignal { signal_id: _, earlier } => (
            "eenplan: eerder signaal bekend".to_string(),
            format!(
                "Over de persoon die u zojuist signaleerde, heeft eerder een andere professional een signaal \
                 afgegeven dat inmiddels is afgesloten. U kunt contact opnemen:\n{}",
                contact_lines(earlier)
            ),
        ),
        Message::MatchReminder { match_id } => (
            "eenplan: herinnering, bevestig uw contact bij een match".to_string(),
            format!(
                "De matchregisseur herinnert u aan een match op uw signaal. U heeft nog niet bevestigd dat u \
                 contact heeft gehad met de andere professionals. Neem contact met hen op en bevestig dat in \
                 eenplan:\n{base}/matches/{match_id}\n"
            ),
        ),
        Message::EscalationRaised { escalation_id } => (
            "eenplan: een vastgelopen casus is bij u geëscaleerd".to_string(),
            format!(
                "Een casus is vastgelopen en bij u geëscaleerd. Reageer vóór de termijn die bij de escalatie \
                 staat; anders gaat zij naar de volgende trede:\n{base}/escalaties/{escalation_id}\n"
            ),
        ),
        Message::EscalationConvened { escalation_id } => (
            "eenplan: u wordt uitgenodigd voor overleg over een casus".to_string(),
            format!(
                "De procescoördinator brengt de betrokken professionals van een vastgelopen casus bij elkaar en \
                 nodigt u uit voor overleg. Bekijk de escalatie:\n{base}/escalaties/{escalation_id}\n"
            ),
        ),
    };
    Email { subject, body: format!("Beste collega,\n\n{text}{FOOTER}") }
}

/// Wait before the next attempt after `attempts` failed ones: base × 2^(attempts−1), at most an hour.
pub fn retry_delay(base: std::time::Duration, attempts: i32) -> std::time::Duration {
    let factor = 2u32.saturating_pow(attempts.clamp(1, 20) as u32 - 1);
    base.saturating_mul(factor).min(std::time::Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn templates_round_trip() {
        for t in Template::ALL {
            assert_eq!(Template::parse(t.as_str()), Some(t));
        }
        assert_eq!(Template::parse("anything"), None);
    }

    #[test]
    fn a_match_email_gives_the_kind_and_the_others_contacts_and_a_link() {
        let email = render(
            &Message::MatchFound {
                match_id: "m1".into(),
                kind: "address".into(),
                others: vec![ProfessionalContact {
                    name: "Sanne de Vries".into(),
                    organisation: "Jeugdgezondheidszorg".into(),
                    phone: Some("079 123 45 67".into()),
                    email: None,
                }],
            },
            "https://eenplan.example",
        );
        assert!(email.body.contains("iemand op hetzelfde adres"), "{}", email.body);
        assert!(email.body.contains("Sanne de Vries (Jeugdgezondheidszorg)"));
        assert!(email.body.contains("telefoon: 079 123 45 67"));
        assert!(!email.body.contains("e-mail:"));
        assert!(email.body.contains("https://eenplan.example/matches/m1"));
    }

    #[test]
    fn a_reminder_links_to_the_match_and_names_no_one() {
        let email = render(&Message::MatchReminder { match_id: "m7".into() }, "https://eenplan.example");
        assert!(email.subject.contains("herinnering"), "{}", email.subject);
        assert!(email.body.contains("https://eenplan.example/matches/m7\n"), "{}", email.body);
        assert!(email.body.contains("bevestig dat in"), "{}", email.body);
        assert!(email.body.contains("bevat bewust geen gegevens over personen"));
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_delay(base, 1), Duration::from_secs(30));
        assert_eq!(retry_delay(base, 2), Duration::from_secs(60));
        assert_eq!(retry_delay(base, 4), Duration::from_secs(240));
        assert_eq!(retry_delay(base, 9), Duration::from_secs(3600));
        assert_eq!(retry_delay(base, 1000), Duration::from_secs(3600));
    }
}
