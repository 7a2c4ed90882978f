//! The web client's words: the services speak English to the API; the pages say it in Dutch. A message without a
//! translation is shown as a general Dutch hint, never in English.

use crate::error::{AppError, FieldError};

/// One field error as a page shows it: the field's element id (the summary links to it), its label and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    pub field: String,
    pub id: String,
    pub label: String,
    pub message: String,
}

/// The element id of a form field: `members[0].birthDate` → `veld-members-0-birthDate`.
pub fn field_id(field: &str) -> String {
    let mut id = String::from("veld-");
    for c in field.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

/// Field errors in Dutch, labelled with the form's own labels (`labels`: field → label).
pub fn field_messages(errors: &[FieldError], labels: &[(&str, &str)]) -> Vec<FieldMessage> {
    errors
        .iter()
        .map(|e| FieldMessage {
            field: e.field.clone(),
            id: field_id(&e.field),
            label: labels
                .iter()
                .find(|(f, _)| *f == e.field)
                .map(|(_, l)| l.to_string())
                .unwrap_or_else(|| e.field.clone()),
            message: message(&e.message),
        })
        .collect()
}

/// A service's field message in Dutch.
pub fn message(english: &str) -> String {
    let known = match english {
        "is required" => "Vul dit in.",
        crate::input::FORBIDDEN_CHAR => "Dit bevat een teken dat niet is toegestaan.",
        "must not be in the future" => "Deze datum mag niet in de toekomst liggen.",
        crate::input::date::MESSAGE => "Vul een geldige datum in (dag, maand, jaar).",
        crate::input::NOT_AN_ID => "Kies een van de mogelijkheden.",
        "must be 9 digits" => "Een BSN heeft 9 cijfers.",
        "must be a member of the household" => "Kies iemand uit het huishouden.",
        "must name at least one law" => "Kies minstens één wet.",
        "is not a valid BSN (elfproef)" => "Dit is geen geldig BSN.",
        "is not a person known to you" => "Deze persoon is bij u niet bekend.",
        "is not a known organisation" => "Deze organisatie is niet bekend.",
        "is not an active user" => "Deze medewerker is niet (meer) actief.",
        "search by BSN alone, or by name and birth date" => "Zoek op BSN, of op naam en geboortedatum.",
        "this person has died" => "Deze persoon is overleden.",
        "is required to agree the plan" => "Vul dit in om de instemming vast te leggen.",
        "write at least a sentence on what is acutely worrying" => {
            "Schrijf minstens een hele zin over wat er acuut zorgelijk is."
        }
        "is required when closing a case" => "Kies waarom het dossier wordt afgesloten.",
        "is not a professional who may direct cases" => "Deze medewerker kan geen regisseur zijn.",
        "is deactivated" => "Deze medewerker is niet meer actief.",
        "must be a Dutch postcode like 2711AB" => "Vul een postcode in zoals 2711 AB.",
        "must be between 1 and 99999" => "Vul een huisnummer in (alleen cijfers).",
        "must be a team you work in" => "Kies een team waarin u werkt.",
        "name at least one member" => "Vul minstens één persoon in.",
        "must be at least 2 characters" => "Vul minstens 2 letters in.",
        "give a BSN, or a name and a birth date" => "Vul een BSN in, of een naam en een geboortedatum.",
        "say why it was not justified" => "Schrijf op waarom de noodtoegang niet terecht was.",
        "score at least one domain" => "Vul voor minstens één domein een score in.",
        "must be a whole number from 1 to 5, or null when not scored" => {
            "Kies een score van 1 tot 5, of laat het leeg."
        }
        "give a phone number, an email address or both" => "Vul een telefoonnummer of een e-mailadres in, of allebei.",
        "is not a phone number" => "Vul een telefoonnummer in, bijvoorbeeld 079 123 45 67.",
        "is not an email address" => "Vul een e-mailadres in, bijvoorbeeld naam@organisatie.nl.",
        "does not agree with the person eenplan knows by this BSN" => {
            "Deze geboortedatum hoort niet bij dit BSN. Controleer het BSN en de geboortedatum."
        }
        "is required for a person eenplan does not know yet" => "eenplan kent deze persoon nog niet. Vul de naam in.",
        "at most 200 characters" => "Gebruik hoogstens 200 tekens.",
        "must be after from" => "Deze datum mag niet voor de begindatum liggen.",
        "is required to show employees' names" => "Schrijf op waarom u de namen nodig heeft.",
        "say why" => "Schrijf op waarom.",
        "must not be before from" => "Deze datum mag niet voor de begindatum liggen.",
        "at most 31 days" => "Kies een periode van hoogstens 31 dagen.",
        "must be justified, not_justified or needs_follow_up" => "Kies een oordeel.",
        "is not an active privacy officer" => "Deze medewerker is geen actieve privacy officer.",
        "more than 50,000 events: choose a shorter period" => {
            "Meer dan 50.000 gebeurtenissen: kies een kortere periode."
        }
        "must be carry_out or refuse" => "Kies: uitvoeren of afwijzen.",
        "must be person, parent or representative" => "Kies wie het verzoek deed.",
        "confirm that erasing cannot be undone" => "Vink aan dat u begrijpt dat verwijderen niet terug te draaien is.",
        "is not a case" => "Er is geen zaak met dit nummer.",
        "cannot be carried out: a ground of art. 17(3) stands in the way" => {
            "Dit verzoek kan niet worden uitgevoerd: er is een grond die verwijderen verbiedt (zie bij het verzoek). \
             Wijs het af met een reden."
        }
        "an address or a surname is required" => "Vul een adres in, een achternaam, of allebei.",
        "is required with a postcode" => "Vul bij de postcode ook het huisnummer in.",
        "is required with a house number" => "Vul bij het huisnummer ook de postcode in.",
        "is only possible with a house number" => "Een toevoeging hoort bij een huisnummer.",
        "must be well_known, colleague or other" => "Kies waarom deze persoon extra bescherming nodig heeft.",
        "is required when the reason is other" => "Schrijf op waarom deze persoon extra bescherming nodig heeft.",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    if let Some(rest) = english.strip_prefix("must be at most ").and_then(|r| r.strip_suffix(" characters")) {
        return format!("Gebruik hoogstens {rest} tekens.");
    }
    if let Some((min, max)) =
        english.strip_prefix("must be ").and_then(|r| r.strip_suffix(" characters")).and_then(|r| r.split_once(" to "))
    {
        return format!("Gebruik {min} tot {max} tekens.");
    }
    "Controleer wat u hier invulde.".to_string()
}

/// The heading and explanation of an error page.
pub fn error_text(e: &AppError) -> (&'static str, String) {
    match e {
        AppError::NotFound => {
            ("Pagina niet gevonden", "Deze pagina bestaat niet, of u heeft er geen toegang toe.".into())
        }
        AppError::ForbiddenBecause("csrf") => (
            "Formulier verlopen",
            "Het formulier hoorde niet bij uw sessie. Er is niets veranderd. Ga terug, laad de pagina opnieuw en \
             probeer het nog eens."
                .into(),
        ),
        AppError::Forbidden | AppError::ForbiddenBecause(_) => {
            ("Niet toegestaan", "U mag dit niet doen. Er is niets veranderd.".into())
        }
        AppError::Validation(_) => ("Controleer het formulier", "Er is niets veranderd.".into()),
        AppError::Conflict(_) | AppError::IllegalTransition { .. } => {
            ("Dit kan nu niet", "Dit past niet bij hoe het dossier er nu voor staat. Er is niets veranderd.".into())
        }
        AppError::PreconditionFailed { .. } => {
            ("Iemand anders was u voor", "Iemand anders heeft dit intussen veranderd. Laad de pagina opnieuw.".into())
        }
        AppError::TooManyRequests { retry_after_secs } => {
            ("Te veel pogingen", format!("Probeer het over {} opnieuw.", duration(*retry_after_secs)))
        }
        AppError::PayloadTooLarge => ("Te veel tekst", "Het formulier is te groot. Er is niets veranderd.".into()),
        AppError::AuditUnavailable | AppError::Unavailable(_) => (
            "Tijdelijk niet beschikbaar",
            "eenplan kan dit nu niet vastleggen. Er is niets veranderd. Probeer het over een paar minuten opnieuw."
                .into(),
        ),
        _ => ("Er ging iets mis", "Dit lukte niet. Er is niets veranderd. Probeer het opnieuw.".into()),
    }
}

/// "45 seconden", "2 minuten".
pub fn duration(secs: u64) -> String {
    match secs {
        1 => "1 seconde".into(),
        0..=90 => format!("{secs} seconden"),
        _ => format!("{} minuten", secs.div_ceil(60)),
    }
}

/// A date as the Dutch write it: `15 januari 2027`.
pub fn date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
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
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_are_valid_element_ids() {
        assert_eq!(field_id("members[0].birthDate"), "veld-members-0-birthDate");
        assert_eq!(field_id("email"), "veld-email");
    }

    #[test]
    fn messages_are_dutch_even_when_unknown() {
        assert_eq!(message("is required"), "Vul dit in.");
        assert_eq!(message("must be at most 4000 characters"), "Gebruik hoogstens 4000 tekens.");
        assert_eq!(message("must be 1 to 100 characters"), "Gebruik 1 tot 100 tekens.");
        assert_eq!(message("something new the API says"), "Controleer wat u hier invulde.");
    }

    #[test]
    fn dates_and_durations_read_as_dutch() {
        assert_eq!(date(chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap()), "15 januari 2027");
        assert_eq!(duration(45), "45 seconden");
        assert_eq!(duration(600), "10 minuten");
    }
}
