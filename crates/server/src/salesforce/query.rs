//! Queries: a [`RecordStream`] across `nextRecordsUrl` pages, `queryAll`, `COUNT()`, and Bulk
//! API 2.0 query jobs for large reads.
//!
//! Paging re-sends only the page request that failed (retries, a renewed token after
//! `INVALID_SESSION_ID`), so a token expiring mid-stream neither loses nor repeats a record.
//! [`QueryMode::Auto`] first runs the query as `SELECT COUNT() FROM …` and switches to a Bulk
//! 2.0 job above [`SalesforceSettings::bulk_threshold`](super::SalesforceSettings) rows (Bulk
//! cannot run child subqueries, so those stay on REST). Bulk rows come from CSV: values are
//! text, empty cells `null`, `Parent.Field` columns nested as `{"Parent": {"Field": …}}`.

use std::collections::VecDeque;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::Error;
use super::client::{Call, HttpSalesforce, QueryMode, QueryOptions, RecordStream};
use super::wire::{BulkJobInfo, QueryResponse, Record};

/// Where the next REST page comes from.
enum Page {
    First,
    Next(String),
}

impl HttpSalesforce {
    pub(crate) fn query_stream(&self, soql: String, options: QueryOptions) -> RecordStream<'_> {
        match options.mode {
            QueryMode::Rest => self.rest_stream(soql, options.include_deleted),
            QueryMode::Bulk => self.bulk_stream(soql, options.include_deleted),
            QueryMode::Auto => {
                let decide = async move {
                    let bulk = match (self.settings.bulk_threshold, count_query(&soql)) {
                        (Some(threshold), Some(counting)) => {
                            self.count_rows(&counting, options.include_deleted).await? > threshold
                        }
                        _ => false,
                    };
                    tracing::debug!(bulk, "salesforce query mode chosen");
                    Ok::<_, Error>(if bulk {
                        self.bulk_stream(soql, options.include_deleted)
                    } else {
                        self.rest_stream(soql, options.include_deleted)
                    })
                };
                stream::once(decide).try_flatten().boxed()
            }
        }
    }

    fn first_page_call(&self, soql: &str, include_deleted: bool) -> Result<Call, Error> {
        let mut url = self.api_url(if include_deleted { "queryAll" } else { "query" })?;
        url.query_pairs_mut().append_pair("q", soql);
        Ok(self.page_call(url))
    }

    fn page_call(&self, url: url::Url) -> Call {
        let mut call = Call::get(url);
        if let Some(size) = self.settings.query_batch_size {
            call.headers
                .push(("Sforce-Query-Options", format!("batchSize={size}")));
        }
        call
    }

    fn rest_stream(&self, soql: String, include_deleted: bool) -> RecordStream<'_> {
        stream::try_unfold(Some(Page::First), move |page| {
            let soql = soql.clone();
            async move {
                let call = match page {
                    None => return Ok(None),
                    Some(Page::First) => self.first_page_call(&soql, include_deleted)?,
                    Some(Page::Next(path)) => self.page_call(self.instance_url(&path)?),
                };
                let page: QueryResponse = self.call(&call).await?.json("query")?;
                let next = match (page.done, page.next_records_url) {
                    (true, _) => None,
                    (false, Some(url)) => Some(Page::Next(url)),
                    (false, None) => {
                        return Err(Error::Decode {
                            what: "query",
                            message: "done is false but nextRecordsUrl is missing".to_owned(),
                        });
                    }
                };
                Ok(Some((page.records, next)))
            }
        })
        .map_ok(|records| stream::iter(records.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// `totalSize` of the first page of `soql`.
    pub(crate) async fn count_rows(&self, soql: &str, include_deleted: bool) -> Result<u64, Error> {
        let call = self.first_page_call(soql, include_deleted)?;
        let page: QueryResponse = self.call(&call).await?.json("query")?;
        Ok(page.total_size)
    }

    fn bulk_stream(&self, soql: String, include_deleted: bool) -> RecordStream<'_> {
        let start = async move {
            let job = self.bulk_run(&soql, include_deleted).await?;
            Ok::<_, Error>(self.bulk_results(job))
        };
        stream::once(start).try_flatten().boxed()
    }

    /// Creates the query job and polls it to `JobComplete`; returns its id.
    async fn bulk_run(&self, soql: &str, include_deleted: bool) -> Result<String, Error> {
        let operation = if include_deleted { "queryAll" } else { "query" };
        let body = json!({"operation": operation, "query": soql});
        // Creating a job twice would only cost a second job; still, a lost answer is not
        // replayed blindly.
        let call = Call::with_body(Method::POST, self.api_url("jobs/query")?, body, false);
        let job: BulkJobInfo = self.call(&call).await?.json("bulk job")?;
        let status_url = self.api_url(&format!("jobs/query/{}", job.id))?;
        let mut polls = 0;
        loop {
            let info: BulkJobInfo = self.get_json(status_url.clone(), "bulk job").await?;
            match info.state.as_str() {
                "JobComplete" => return Ok(info.id),
                "Failed" | "Aborted" => {
                    return Err(Error::BulkJob {
                        job_id: info.id,
                        state: info.state,
                        message: info.error_message.unwrap_or_default(),
                    });
                }
                _ => {}
            }
            polls += 1;
            if polls >= self.settings.bulk_max_polls {
                return Err(Error::BulkJob {
                    job_id: info.id,
                    state: info.state,
                    message: "still running after the last poll".to_owned(),
                });
            }
            tokio::time::sleep(self.settings.bulk_poll_interval).await;
        }
    }

    /// The job's CSV result pages, followed by `Sforce-Locator` until `null`.
    fn bulk_results(&self, job_id: String) -> RecordStream<'_> {
        stream::try_unfold(Some(String::new()), move |locator| {
            let job_id = job_id.clone();
            async move {
                let Some(locator) = locator else {
                    return Ok(None);
                };
                let mut url = self.api_url(&format!("jobs/query/{job_id}/results"))?;
                {
                    let mut pairs = url.query_pairs_mut();
                    pairs.append_pair("maxRecords", &self.settings.bulk_page_size.to_string());
                    if !locator.is_empty() {
                        pairs.append_pair("locator", &locator);
                    }
                }
                let mut call = Call::get(url);
                call.headers.push(("Accept", "text/csv".to_owned()));
                let answer = self.call(&call).await?;
                let next = match answer.header("Sforce-Locator") {
                    None | Some("null" | "") => None,
                    Some(next) => Some(next.to_owned()),
                };
                let text = String::from_utf8(answer.body).map_err(|_| Error::Decode {
                    what: "bulk results",
                    message: "not UTF-8".to_owned(),
                })?;
                let records = csv_records(&text).map_err(|e| Error::Decode {
                    what: "bulk results",
                    message: e.to_string(),
                })?;
                Ok(Some((records, next)))
            }
        })
        .map_ok(|records| stream::iter(records.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }
}

/// `SELECT COUNT() FROM …` for `soql` (ORDER BY dropped), or `None` when the query should not be
/// counted: child subqueries (Bulk cannot run them), aggregates, or no top-level `FROM`.
pub(crate) fn count_query(soql: &str) -> Option<String> {
    let words = top_level_words(soql);
    let from = words
        .iter()
        .find(|(_, w)| w.eq_ignore_ascii_case("FROM"))?
        .0;
    let select_list = &soql[..from];
    if select_list.contains('(') {
        return None;
    }
    let order = words
        .iter()
        .position(|(at, w)| *at > from && w.eq_ignore_ascii_case("ORDER"))
        .filter(|i| {
            words
                .get(i + 1)
                .is_some_and(|(_, w)| w.eq_ignore_ascii_case("BY"))
        });
    let tail = match order {
        None => soql[from..].to_owned(),
        Some(i) => {
            let start = words[i].0;
            let end = words[i..]
                .iter()
                .find(|(_, w)| {
                    ["LIMIT", "OFFSET", "FOR"]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k))
                })
                .map_or(soql.len(), |(at, _)| *at);
            format!("{}{}", &soql[from..start], &soql[end..])
        }
    };
    Some(format!("SELECT COUNT() {}", tail.trim_end()))
}

/// Words outside string literals and parentheses, with their byte offsets.
fn top_level_words(soql: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    let mut start: Option<usize> = None;
    for (i, c) in soql.char_indices() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '\'') => quoted = false,
                _ => {}
            }
            continue;
        }
        let word_char = c.is_alphanumeric() || c == '_';
        if word_char && depth == 0 {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            words.push((s, &soql[s..i]));
        }
        match c {
            '\'' => quoted = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, &soql[s..]));
    }
    words
}

/// Parses RFC 4180 CSV (header row first) into records; empty cells become `null`.
pub(crate) fn csv_records(text: &str) -> Result<Vec<Record>, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers()?.clone();
    reader
        .records()
        .map(|row| {
            let row = row?;
            let mut record = Map::new();
            for (name, cell) in header.iter().zip(row.iter()) {
                let value = if cell.is_empty() {
                    Value::Null
                } else {
                    Value::String(cell.to_owned())
                };
                insert_path(&mut record, name, value);
            }
            Ok(record)
        })
        .collect()
}

fn insert_path(record: &mut Record, path: &str, value: Value) {
    let mut parts: VecDeque<&str> = path.split('.').collect();
    let Some(last) = parts.pop_back() else {
        return;
    };
    let mut target = record;
    for part in parts {
        let slot = target
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else {
            return;
        };
        target = next;
    }
    target.insert(last.to_owned(), value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_query_drops_order_by_and_keeps_filters() {
        assert_eq!(
            count_query(
                "SELECT Id, Email FROM Contact WHERE Email = 'a FROM b' ORDER BY Id LIMIT 5"
            )
            .as_deref(),
            Some("SELECT COUNT() FROM Contact WHERE Email = 'a FROM b' LIMIT 5")
        );
        assert_eq!(
            count_query("select Id from Contact order by SystemModstamp, Id").as_deref(),
            Some("SELECT COUNT() from Contact")
        );
        assert_eq!(
            count_query("SELECT Id, (SELECT Id FROM Tasks) FROM Contact"),
            None
        );
        assert_eq!(count_query("SELECT COUNT() FROM Contact"), None);
    }

    #[test]
    fn csv_rows_become_records() {
        let text =
            "\"Id\",\"Email\",\"Account.Name\"\n003A,\"a@x, y\",\"Acme \"\"Inc\"\"\"\n003B,,\n";
        let records = csv_records(text).expect("valid CSV");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["Email"], "a@x, y");
        assert_eq!(records[0]["Account"]["Name"], "Acme \"Inc\"");
        assert_eq!(records[1]["Email"], Value::Null);
        assert_eq!(records[1]["Account"]["Name"], Value::Null);
        assert!(csv_records("").expect("empty CSV").is_empty());
    }
}
