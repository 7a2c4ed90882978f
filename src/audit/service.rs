//! Audit use cases: verifying every chain, and reading the log.

use super::model::{Break, ChainVerifier};
use super::store::{self, EventFilter, Row};
use crate::db::DbConn;

#[derive(Debug)]
pub struct VerifyReport {
    pub chains: usize,
    pub events: u64,
    pub first_break: Option<Break>,
}

/// Recomputes every chain. Stops at the first break in each chain and reports the first one found.
pub fn verify(conn: &mut DbConn) -> diesel::QueryResult<VerifyReport> {
    const PAGE: i64 = 2_000;
    let chains = store::chain_ids(conn)?;
    let mut report = VerifyReport { chains: chains.len(), events: 0, first_break: None };
    for chain in &chains {
        let mut verifier = ChainVerifier::new(chain);
        let mut after = 0;
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
