//! Diesel queries for audit events.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{decode_person_ids, encode_person_ids, Basis, ChainLink, Checkpoint, EventData, StoredEvent};
use crate::db::schema::{audit_checkpoints, audit_event_persons, audit_events};
use crate::db::DbConn;

/// Inserts events with their chain links in one multi-row statement: one round trip per batch.
/// Values are bound explicitly (never DEFAULT), so every batch of a size shares one statement shape.
pub fn insert_batch(conn: &mut DbConn, events: &[(&EventData, &ChainLink)]) -> QueryResult<()> {
    use audit_events::dsl as a;
    // Well under both backends' bound-parameter limits (26 columns per row).
    for chunk in events.chunks(1_000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(e, link)| {
                (
                    (
                        a::event_id.eq(e.event_id.as_str()),
                        a::chain_id.eq(link.chain_id.as_str()),
                        a::chain_seq.eq(link.chain_seq),
                        a::occurred_at.eq(e.occurred_at),
                        a::user_id.eq(e.user_id.as_deref()),
                        a::user_name.eq(e.user_name.as_deref()),
                        a::role.eq(e.role.as_deref()),
                        a::organisation_id.eq(e.organisation_id.as_deref()),
                        a::on_behalf_of.eq(e.on_behalf_of.as_deref()),
                        a::client_address.eq(e.client_address.as_deref()),
                        a::request_id.eq(e.request_id.as_deref()),
                        a::action.eq(e.action.as_str()),
                        a::resource_type.eq(e.resource_type.as_str()),
                    ),
                    (
                        a::resource_id.eq(e.resource_id.as_deref()),
                        a::case_id.eq(e.case_id.as_deref()),
                        a::household_id.eq(e.household_id.as_deref()),
                        a::person_ids.eq(encode_person_ids(&e.person_ids)),
                        a::basis.eq(e.basis_kind()),
                        a::basis_id.eq(e.basis_id()),
                        a::flagged.eq(e.flagged),
                        a::outcome.eq(e.outcome.as_str()),
                        a::http_status.eq(e.http_status),
                        a::reason.eq(e.reason.as_deref()),
                        a::prev_hash.eq(link.prev_hash.as_str()),
                        a::hash.eq(link.hash.as_str()),
                    ),
                )
            })
            .collect();
        let insert = diesel::insert_into(audit_events::table).values(&rows);
        if chunk.iter().all(|(e, _)| e.person_ids.is_empty()) {
            crate::db_run!(conn, |c| insert.execute(c))?;
            continue;
        }
        // The persons each event names, by the rows the insert gave the events (the person index).
        let ids: Vec<(i64, String)> = crate::db_run!(conn, |c| insert.returning((a::id, a::event_id)).get_results(c))?;
        let row_of: std::collections::HashMap<&str, i64> = ids.iter().map(|(id, e)| (e.as_str(), *id)).collect();
        let mut persons = Vec::new();
        for (e, _) in chunk {
            let Some(&row) = row_of.get(e.event_id.as_str()) else { continue };
            let mut named: Vec<&String> = e.person_ids.iter().collect();
            named.sort();
            named.dedup();
            for person in named {
                use audit_event_persons as p;
                persons.push((
                    p::person_id.eq(person.as_str()),
                    p::occurred_at.eq(e.occurred_at),
                    p::event_row.eq(row),
                    // What the person overview shows of the access, read from this index alone.
                    p::allowed.eq(e.outcome == super::model::Outcome::Allowed.as_str()),
                    p::user_name.eq(e.user_name.as_deref()),
                    p::role.eq(e.role.as_deref()),
                    p::organisation_id.eq(e.organisation_id.as_deref()),
                    p::action.eq(e.action.as_str()),
                    p::resource_type.eq(e.resource_type.as_str()),
                    p::basis.eq(e.basis_kind()),
                    p::basis_id.eq(e.basis_id()),
                    p::flagged.eq(e.flagged),
                ));
            }
        }
        // 12 columns a row: well under both backends' bound-parameter limits.
        for part in persons.chunks(2_000) {
            crate::db_run!(conn, |c| diesel::insert_into(audit_event_persons::table).values(part).execute(c))?;
        }
    }
    Ok(())
}

pub fn insert(conn: &mut DbConn, e: &EventData, link: &ChainLink) -> QueryResult<()> {
    insert_batch(conn, &[(e, link)])
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct Row {
    pub id: i64,
    pub event_id: String,
    pub chain_id: String,
    pub chain_seq: i64,
    pub occurred_at: NaiveDateTime,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub role: Option<String>,
    pub organisation_id: Option<String>,
    pub on_behalf_of: Option<String>,
    pub client_address: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub case_id: Option<String>,
    pub household_id: Option<String>,
    pub person_ids: Option<String>,
    pub basis: Option<String>,
    pub basis_id: Option<String>,
    pub flagged: bool,
    pub outcome: String,
    pub http_status: Option<i32>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Row {
    pub fn into_stored(self) -> StoredEvent {
        StoredEvent {
            id: self.id,
            link: ChainLink {
                chain_id: self.chain_id,
                chain_seq: self.chain_seq,
                prev_hash: self.prev_hash,
                hash: self.hash,
            },
            data: EventData {
                event_id: self.event_id,
                occurred_at: self.occurred_at,
                user_id: self.user_id,
                user_name: self.user_name,
                role: self.role,
                organisation_id: self.organisation_id,
                on_behalf_of: self.on_behalf_of,
                client_address: self.client_address,
                request_id: self.request_id,
                action: self.action,
                resource_type: self.resource_type,
                resource_id: self.resource_id,
                case_id: self.case_id,
                household_id: self.household_id,
                person_ids: decode_person_ids(self.person_ids.as_deref()),
                basis: Basis::from_stored(self.basis, self.basis_id),
                flagged: self.flagged,
                outcome: self.outcome,
                http_status: self.http_status,
                reason: self.reason,
            },
        }
    }
}

pub fn chain_ids(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    audit_events::table.select(audit_events::chain_id).distinct().order(audit_events::chain_id).load(conn)
}

/// One page of a chain, in sequence order, after `after_seq`.
pub fn chain_page(conn: &mut DbConn, chain: &str, after_seq: i64, limit: i64) -> QueryResult<Vec<Row>> {
    audit_events::table
        .filter(audit_events::chain_id.eq(chain))
        .filter(audit_events::chain_seq.gt(after_seq))
        .order(audit_events::chain_seq.asc())
        .limit(limit)
        .select(Row::as_select())
        .load(conn)
}

#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub user_id: Option<String>,
    pub person_id: Option<String>,
    pub case_id: Option<String>,
    pub household_id: Option<String>,
    pub action: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Keyset cursor: only events with a smaller row id (newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConn, f: &EventFilter) -> QueryResult<Vec<Row>> {
    let mut q = audit_events::table.into_boxed();
    if let Some(u) = &f.user_id {
        q = q.filter(audit_events::user_id.eq(u.clone()));
    }
    if let Some(p) = &f.person_id {
        // From the person index (one key range), not a scan of every event's persons.
        use crate::db::schema::audit_event_persons as ap;
        let rows = ap::table.filter(ap::person_id.eq(p.clone())).select(ap::event_row);
        q = q.filter(audit_events::id.eq_any(rows));
    }
    if let Some(c) = &f.case_id {
        q = q.filter(audit_events::case_id.eq(c.clone()));
    }
    if let Some(h) = &f.household_id {
        q = q.filter(audit_events::household_id.eq(h.clone()));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_events::action.eq(a.clone()));
    }
    if let Some(o) = &f.outcome {
        q = q.filter(audit_events::outcome.eq(o.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(before) = f.before_id {
        q = q.filter(audit_events::id.lt(before));
    }
    q.order(audit_events::id.desc()).limit(f.limit).select(Row::as_select()).load(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    audit_events::table.count().get_result(conn)
}

// Retention pruning (docs/privacy.md): the one sanctioned removal, of a chain's oldest events behind a checkpoint.

/// Every chain's checkpoint.
pub fn checkpoints(conn: &mut DbConn) -> QueryResult<Vec<Checkpoint>> {
    use audit_checkpoints::dsl as k;
    let rows: Vec<(String, i64, String)> =
        k::audit_checkpoints.select((k::chain_id, k::through_seq, k::through_hash)).order(k::chain_id).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(chain_id, through_seq, through_hash)| Checkpoint { chain_id, through_seq, through_hash })
        .collect())
}

/// What of a chain may go: the events before its first one at or after `cutoff` (a chain is pruned from its start,
/// so that what remains still links up), past what an earlier checkpoint already removed. The checkpoint it would
/// get and how many events go.
pub fn prunable(
    conn: &mut DbConn,
    chain: &str,
    cutoff: NaiveDateTime,
    after_seq: i64,
) -> QueryResult<Option<(Checkpoint, i64)>> {
    use audit_events::dsl as a;
    let first_young: Option<i64> = a::audit_events
        .filter(a::chain_id.eq(chain))
        .filter(a::occurred_at.ge(cutoff))
        .select(diesel::dsl::min(a::chain_seq))
        .first(conn)?;
    let through = match first_young {
        Some(seq) => seq - 1,
        None => a::audit_events
            .filter(a::chain_id.eq(chain))
            .select(diesel::dsl::max(a::chain_seq))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
    };
    if through <= after_seq {
        return Ok(None);
    }
    let hash: Option<String> = a::audit_events
        .filter(a::chain_id.eq(chain))
        .filter(a::chain_seq.eq(through))
        .select(a::hash)
        .first(conn)
        .optional()?;
    let Some(through_hash) = hash else { return Ok(None) };
    let count: i64 = a::audit_events
        .filter(a::chain_id.eq(chain))
        .filter(a::chain_seq.gt(after_seq))
        .filter(a::chain_seq.le(through))
        .count()
        .get_result(conn)?;
    Ok(Some((Checkpoint { chain_id: chain.to_string(), through_seq: through, through_hash }, count)))
}

/// Moves the chain's checkpoint forward and removes the events it now covers (their person index first). The
/// database allows the removal only behind a checkpoint and only for events older than five years.
pub fn prune(conn: &mut DbConn, checkpoint: &Checkpoint, pruned: i64, at: NaiveDateTime) -> QueryResult<()> {
    use audit_checkpoints::dsl as k;
    use audit_events::dsl as a;
    let moved = diesel::update(k::audit_checkpoints.filter(k::chain_id.eq(&checkpoint.chain_id)))
        .set((
            k::through_seq.eq(checkpoint.through_seq),
            k::through_hash.eq(&checkpoint.through_hash),
            k::pruned_events.eq(k::pruned_events + pruned),
            k::updated_at.eq(at),
        ))
        .execute(conn)?;
    if moved == 0 {
        diesel::insert_into(k::audit_checkpoints)
            .values((
                k::chain_id.eq(&checkpoint.chain_id),
                k::through_seq.eq(checkpoint.through_seq),
                k::through_hash.eq(&checkpoint.through_hash),
                k::pruned_events.eq(pruned),
                k::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    let rows = a::audit_events
        .filter(a::chain_id.eq(&checkpoint.chain_id))
        .filter(a::chain_seq.le(checkpoint.through_seq))
        .select(a::id);
    diesel::delete(audit_event_persons::table.filter(audit_event_persons::event_row.eq_any(rows))).execute(conn)?;
    diesel::delete(
        a::audit_events.filter(a::chain_id.eq(&checkpoint.chain_id)).filter(a::chain_seq.le(checkpoint.through_seq)),
    )
    .execute(conn)?;
    Ok(())
}

/// The reason of the newest retention run's event: it records the checkpoints' digest.
pub fn last_run_record(conn: &mut DbConn) -> QueryResult<Option<String>> {
    use audit_events::dsl as a;
    let reason: Option<Option<String>> = a::audit_events
        .filter(a::action.eq(super::model::RETENTION_RUN))
        .filter(a::outcome.eq("allowed"))
        .order(a::id.desc())
        .select(a::reason)
        .first(conn)
        .optional()?;
    Ok(reason.flatten())
}
