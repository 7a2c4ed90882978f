//! Leaf: one way to page a list (a keyset cursor), and the ETag of a versioned object.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most this many items (1–200, default 50).
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub after: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }

    /// How many rows a store fetches for this page: one more than the page holds, so `page` knows whether more
    /// exist without handing out a cursor to an empty page.
    pub fn fetch(&self) -> i64 {
        self.limit() + 1
    }
}

/// Cuts the one extra fetched row off and turns the last kept item into the cursor for the next page. Every list
/// in eenplan pages this way: the store fetches `limit + 1` rows in key order after the cursor, filters in SQL.
pub fn page<T>(mut items: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Page<T> {
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next }
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_last_page_hands_out_no_cursor() {
        let q = PageQuery { limit: Some(2), after: None };
        assert_eq!(q.fetch(), 3);
        let exact = page(vec![1, 2], q.limit(), |n| n.to_string());
        assert_eq!((exact.items.len(), exact.next), (2, None));
        let more = page(vec![1, 2, 3], q.limit(), |n| n.to_string());
        assert_eq!((more.items, more.next), (vec![1, 2], Some("2".to_string())));
    }
}
