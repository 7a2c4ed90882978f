//! Audit use cases: verifying every chain, and reading the log.

use super::model::{checkpoint_digest, digest_in, Break, ChainVerifier};
use super::store::{self, EventFilter, Row};
use crate::db::DbConn;

#[derive(Debug)]
pub struct VerifyReport {
    pub chains: usize,
    pub events: u64,
    pub first_break: Option<Break>,
    /// Chains whose oldest events retention pruned behind a checkpoint.
    pub checkpoints: usize,
}

/// Recomputes every chain. Stops at the first break in each chain and reports the first one found.
pub fn verify(conn: &mut DbConn) -> diesel::QueryResult<VerifyReport> {
    const PAGE: i64 = 2_000;
    let chains = store::chain_ids(conn)?;
    let checkpoints = store::checkpoints(conn)?;
    let mut report =
        VerifyReport { chains: chains.len(), events: 0, first_break: None, checkpoints: checkpoints.len() };
    // The checkpoints are the last retention run's: one moved, added or removed since no longer matches its record.
    if !checkpoints.is_empty() {
        let record = store::last_run_record(conn)?;
        let digest = checkpoint_digest(&checkpoints);
        if record.as_deref().and_then(digest_in) != Some(digest.as_str()) {
            report.first_break = Some(Break {
                chain_id: String::new(),
                event_id: String::new(),
                row_id: 0,
                problem: "the audit checkpoints do not match the last retention run's record: events were removed \
                          outside retention"
                    .into(),
            });
        }
    }
    for chain in &chains {
        let checkpoint = checkpoints.iter().find(|c| &c.chain_id == chain);
        let mut verifier = checkpoint.map(ChainVerifier::resume).unwrap_or_else(|| ChainVerifier::new(chain));
        let mut after = checkpoint.map(|c| c.through_seq).unwrap_or(0);
        loop {
            let page = store::chain_page(conn, chain, after, PAGE)?;
            let Some(last) = page.last() else { break };
            after = last.chain_seq;
            let full = page.len() as i64 == PAGE;
            for row in page {
                report.events += 1;
                if let Err(b) = verifier.check(&row.into_stored()) {
                    report.first_break.get_or_insert(b);
                    break;
                }
            }
            if report.first_break.as_ref().is_some_and(|b| &b.chain_id == chain) || !full {
                break;
            }
        }
    }
    Ok(report)
}

pub fn list(conn: &mut DbConn, filter: &EventFilter) -> diesel::QueryResult<Vec<Row>> {
    store::list(conn, filter)
}
