//! Desk's two paging schemes (doc §3), as loops over a page-fetching closure.
//!
//! - **Lists** (`/contacts`, `/accounts`, `/tickets`, `/agents`): `from` is 1-based, no total,
//!   no cursor; a short page ends the list, and an empty list answers 204 (an empty page).
//!   [`collect_list`] gathers every page; [`list_stream`] yields rows as pages arrive.
//! - **Search** (`/…/search`, also `/roles`, `/profiles`, `/recycleBin`): `from` is 0-based and
//!   must stay within `0..=4999`. [`collect_search`] pages until a short page or the end of that
//!   window and says whether it saw everything ([`SearchResult::complete`]); when it did not, the
//!   caller splits its query (e.g. a narrower `modifiedTimeRange`);
//!   [`collect_modified_between`] does that split for time-range polling.
//!
//! Each page is fetched independently, so a page that failed and was retried (or replayed after
//! a token refresh) is neither lost nor repeated.

use std::future::Future;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::stream::{self, BoxStream, StreamExt};

use super::error::Error;

/// Largest page of contact / account / ticket lists and of searches.
pub const MAX_LIMIT: u32 = 100;
/// Largest `from` a search accepts.
pub const MAX_SEARCH_FROM: u32 = 4999;

/// One page of search hits.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchPage<T> {
    /// The rows (empty for a 204).
    pub rows: Vec<T>,
    /// All matches of the query, if the service said.
    pub count: Option<u64>,
}

/// Every search hit reachable within the `from` window.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResult<T> {
    /// The rows, in the order the service returned them.
    pub rows: Vec<T>,
    /// All matches, as reported.
    pub count: Option<u64>,
    /// `false` when the 5,000-row window ended before the matches did: split the query.
    pub complete: bool,
}

/// Fetches 1-based list pages of `limit` rows until a short (or empty) page.
///
/// # Errors
/// The first page error (after the client's own retries).
pub async fn collect_list<T, F, Fut>(limit: u32, fetch: F) -> Result<Vec<T>, Error>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    collect_pages(1, limit, fetch).await
}

/// Fetches pages of `limit` rows, the first at `first`, until a short (or empty) page.
async fn collect_pages<T, F, Fut>(first: u32, limit: u32, mut fetch: F) -> Result<Vec<T>, Error>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    let limit = limit.max(1);
    let mut out = Vec::new();
    let mut from = first;
    loop {
        let page = fetch(from, limit).await?;
        let n = page.len();
        out.extend(page);
        if n < limit as usize {
            return Ok(out);
        }
        from += limit;
    }
}

/// Like [`collect_list`], as a stream of rows; it ends after the first error.
pub fn list_stream<'a, T, F, Fut>(limit: u32, fetch: F) -> BoxStream<'a, Result<T, Error>>
where
    T: Send + 'a,
    F: FnMut(u32, u32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'a,
{
    let limit = limit.max(1);
    // State: (next `from`, finished, fetcher).
    stream::unfold(
        (1u32, false, fetch),
        move |(from, done, mut fetch)| async move {
            if done {
                return None;
            }
            match fetch(from, limit).await {
                Ok(page) => {
                    let last = page.len() < limit as usize;
                    let rows: Vec<Result<T, Error>> = page.into_iter().map(Ok).collect();
                    Some((stream::iter(rows), (from + limit, last, fetch)))
                }
                Err(e) => Some((stream::iter(vec![Err(e)]), (from, true, fetch))),
            }
        },
    )
    .flatten()
    .boxed()
}

/// Fetches 0-based search pages of `limit` rows until a short page or the end of the
/// `0..=4999` window.
///
/// # Errors
/// The first page error.
pub async fn collect_search<T, F, Fut>(limit: u32, mut fetch: F) -> Result<SearchResult<T>, Error>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<SearchPage<T>, Error>>,
{
    let limit = limit.clamp(1, MAX_LIMIT);
    let mut rows = Vec::new();
    let mut count = None;
    let mut from = 0;
    loop {
        let page = fetch(from, limit).await?;
        count = page.count.or(count);
        let n = page.rows.len();
        rows.extend(page.rows);
        if n < limit as usize {
            return Ok(SearchResult {
                rows,
                count,
                complete: true,
            });
        }
        from += limit;
        if from > MAX_SEARCH_FROM {
            let complete = count.is_some_and(|c| c <= u64::from(from));
            return Ok(SearchResult {
                rows,
                count,
                complete,
            });
        }
    }
}

/// Rows one search can reach: `from` 0..=4999 plus one page.
pub const SEARCH_WINDOW_ROWS: u64 = 5000;

/// Every record whose `modifiedTime` lies in `[start, end]`, via searches of that time range
/// (doc §7): when a range matches more than [`SEARCH_WINDOW_ROWS`] (the first page's `count`
/// says so), it is split in two halves (`[start, mid]`, `[mid + 1 ms, end]`) until each fits.
/// Rows come back range by range in ascending time order; each record appears once.
/// `fetch(start, end, from, limit)` fetches one page of the search of that range.
///
/// # Errors
/// The first page error, or [`Error::SearchWindowTooDense`] when more than 5,000 records share
/// one millisecond.
pub async fn collect_modified_between<T, F, Fut>(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    mut fetch: F,
) -> Result<Vec<T>, Error>
where
    F: FnMut(DateTime<Utc>, DateTime<Utc>, u32, u32) -> Fut,
    Fut: Future<Output = Result<SearchPage<T>, Error>>,
{
    let limit = MAX_LIMIT;
    let mut out = Vec::new();
    // A stack: the earlier half is pushed last so it is searched first.
    let mut ranges = vec![(start, end)];
    while let Some((a, b)) = ranges.pop() {
        let first = fetch(a, b, 0, limit).await?;
        if first.count.is_some_and(|c| c > SEARCH_WINDOW_ROWS) {
            let span = b - a;
            if span < TimeDelta::milliseconds(2) {
                return Err(Error::SearchWindowTooDense { start: a, end: b });
            }
            let mid = a + span / 2;
            ranges.push((mid + TimeDelta::milliseconds(1), b));
            ranges.push((a, mid));
            continue;
        }
        let mut n = first.rows.len();
        out.extend(first.rows);
        let mut from = limit;
        while n == limit as usize && from <= MAX_SEARCH_FROM {
            let page = fetch(a, b, from, limit).await?;
            n = page.rows.len();
            out.extend(page.rows);
            from += limit;
        }
    }
    Ok(out)
}

/// Fetches 0-based pages (roles, profiles, recycle bin) until a short page; no window limit.
///
/// # Errors
/// The first page error.
pub async fn collect_zero_based<T, F, Fut>(limit: u32, fetch: F) -> Result<Vec<T>, Error>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    collect_pages(0, limit, fetch).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(from: u32, limit: u32, total: u32) -> Vec<u32> {
        (from..(from + limit).min(total + 1)).collect()
    }

    #[tokio::test]
    async fn lists_are_one_based_and_end_on_a_short_page() {
        let mut calls = Vec::new();
        let rows = collect_list(10, |from, limit| {
            calls.push(from);
            async move { Ok(page(from, limit, 25)) }
        })
        .await
        .unwrap();
        assert_eq!(rows, (1..=25).collect::<Vec<_>>());
        assert_eq!(calls, vec![1, 11, 21]);
    }

    #[tokio::test]
    async fn an_exact_multiple_ends_on_an_empty_page() {
        let rows = collect_list(10, |from, limit| async move { Ok(page(from, limit, 20)) })
            .await
            .unwrap();
        assert_eq!(rows.len(), 20);
    }

    #[tokio::test]
    async fn the_stream_yields_every_row_once() {
        let rows: Vec<u32> = list_stream(7, |from, limit| async move { Ok(page(from, limit, 30)) })
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(rows, (1..=30).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn search_stops_at_the_window_and_says_so() {
        let mut last_from = 0;
        let result = collect_search(100, |from, limit| {
            last_from = from;
            async move {
                Ok(SearchPage {
                    rows: (from..from + limit).collect::<Vec<_>>(),
                    count: Some(7000),
                })
            }
        })
        .await
        .unwrap();
        assert_eq!(last_from, 4900);
        assert_eq!(result.rows.len(), 5000);
        assert!(!result.complete);
    }
}
