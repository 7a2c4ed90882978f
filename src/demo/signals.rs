//! Demo signals in the first wijk: a person match that has waited three weeks for contact (overdue), an address
//! match with one confirmation, a parent match the demo signaller is in, and one archived signal. Milan Verhoef is
//! left unsignalled: signalling him as the demo signaller makes an address match with his half-sister Anjali's signal.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::access::Role;
use crate::db::schema::{household_members, households, match_members, persons};
use crate::db::{new_id, DbConn};
use crate::error::AppResult;
use crate::identity::model::RoleGrant;
use crate::identity::store::{self, NewUser};
use crate::signals::service::{insert_and_match, Contact};

/// A demo resident of the first wijk, by name: (id, birth date).
fn resident(c: &mut DbConn, wijk: &str, name: &str) -> AppResult<(String, NaiveDate)> {
    Ok(persons::table
        .inner_join(household_members::table.inner_join(households::table))
        .filter(households::wijk.eq(wijk))
        .filter(persons::name.eq(name))
        .select((persons::id, persons::birth_date))
        .first(c)?)
}

/// Two more signalling organisations with one professional each (they cannot log in: a random password).
fn signaller(
    c: &mut DbConn,
    org_name: &str,
    person: &str,
    email: &str,
    hash: &str,
    t: NaiveDateTime,
) -> AppResult<(String, String)> {
    let org = new_id();
    store::insert_organisation(c, &org, org_name, "other", t)?;
    let id = new_id();
    store::insert_user(
        c,
        &NewUser {
            id: &id,
            email,
            display_name: person,
            organisation_id: &org,
            password_hash: hash,
            totp_secret: None,
        },
        &[RoleGrant { role: Role::Signaller, team_id: None }],
        t,
    )?;
    Ok((id, org))
}

pub fn seed(
    c: &mut DbConn,
    demo_signaller: (&str, &str),
    unusable_hash: &str,
    max_age: i32,
    t: NaiveDateTime,
) -> AppResult<()> {
    let wijk = super::WIJKEN[0];
    let domain = super::DEMO_DOMAIN;
    let school = signaller(
        c,
        "Basisschool De Regenboog",
        "Fatima Yilmaz",
        &format!("intern.begeleider@school.{domain}"),
        unusable_hash,
        t,
    )?;
    let jgz = signaller(
        c,
        "GGD Jeugdgezondheidszorg",
        "Sanne de Vries",
        &format!("jeugdarts@ggd.{domain}"),
        unusable_hash,
        t,
    )?;
    let school_contact =
        Contact { phone: Some("079 346 00 11".into()), email: Some(format!("intern.begeleider@school.{domain}")) };
    let jgz_contact = Contact { phone: Some("079 346 00 22".into()), email: None };
    let own_contact = Contact { phone: None, email: Some(format!("signaller@{domain}")) };
    let signal = |c: &mut DbConn, who: &(String, String), contact: &Contact, name: &str, at: NaiveDateTime| {
        let (person, birth) = resident(c, wijk, name)?;
        insert_and_match(c, &who.0, &who.1, &person, birth, contact, max_age, at)
    };
    let demo = (demo_signaller.0.to_string(), demo_signaller.1.to_string());

    // Person match on Lotte: school and youth health care, three weeks ago, no one has confirmed contact.
    let weeks_ago = t - Duration::days(21);
    signal(c, &school, &school_contact, "Lotte de Boer", weeks_ago)?;
    signal(c, &jgz, &jgz_contact, "Lotte de Boer", weeks_ago)?;

    // Address match: Yasmin and her brother Adam, signalled by two organisations; the school has made contact.
    signal(c, &jgz, &jgz_contact, "Yasmin El Amrani", t - Duration::days(4))?;
    let adam = signal(c, &school, &school_contact, "Adam El Amrani", t - Duration::days(2))?;
    diesel::update(match_members::table.filter(match_members::signal_id.eq(&adam)))
        .set(match_members::contact_confirmed_at.eq(Some(t - Duration::days(1))))
        .execute(c)?;

    // Parent match: Ravi (moved out) and his sister Anjali share their mother; the demo signaller is in it.
    signal(c, &school, &school_contact, "Anjali Ramdin", t - Duration::days(6))?;
    signal(c, &demo, &own_contact, "Ravi Ramdin", t - Duration::days(3))?;

    // Archived: youth health care signalled Noah last year; the risk is gone.
    let noah = signal(c, &jgz, &jgz_contact, "Noah Jacobs", t - Duration::days(300))?;
    let (_, birth) = resident(c, wijk, "Noah Jacobs")?;
    let removed = t - Duration::days(90);
    if let Some(until) = crate::signals::model::archive_until(removed.date(), birth, max_age) {
        crate::signals::store::archive_signal(c, &noah, "risk_gone", removed, until)?;
    }
    Ok(())
}
