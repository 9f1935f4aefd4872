//! Writes: sObject Collections (create, update, upsert, delete, retrieve) in chunks of 200 with
//! per-row results mapped back to input order, and composite requests (the sidebar's one round
//! trip is built by [`crate::profile::query`]).
//!
//! Collections calls are sent with `allOrNone: false`: one bad row fails alone. A row's failure
//! is an [`Error::Api`] carrying the row's `statusCode` and the service's message unchanged.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::Error;
use super::client::{Call, HttpSalesforce};
use super::soql;
use super::wire::{CompositeRequest, CompositeResponse, Record, RowError, SaveResult};

/// Most records in one Collections call.
pub const COLLECTION_LIMIT: usize = 200;

/// A record to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    /// Object API name (`Contact`).
    pub object: String,
    /// Field values (no `Id`).
    pub fields: Record,
}

/// Changes to one record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordUpdate {
    /// Object API name.
    pub object: String,
    /// Record id.
    pub id: String,
    /// Fields to set (`null` clears).
    pub fields: Record,
}

/// A saved row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRow {
    /// The record id.
    pub id: String,
    /// Upserts: inserted (`true`) or updated (`false`).
    pub created: Option<bool>,
}

/// One row's outcome: saved, or the (first) error the service gave it.
pub type RowResult = Result<SavedRow, Error>;

/// Maps one collections row to its outcome.
pub fn row_result(row: SaveResult) -> RowResult {
    if row.success {
        return match row.id {
            Some(id) => Ok(SavedRow {
                id,
                created: row.created,
            }),
            None => Err(Error::Decode {
                what: "collections row",
                message: "success without id".to_owned(),
            }),
        };
    }
    Err(row.errors.into_iter().next().map_or(
        Error::Decode {
            what: "collections row",
            message: "failure without errors".to_owned(),
        },
        Error::from_row,
    ))
}

/// A failed row's error from its status code and message.
pub(crate) fn row_error(status_code: &str, message: String) -> Error {
    Error::from_row(RowError {
        status_code: status_code.to_owned(),
        message,
        fields: Vec::new(),
        duplicate_result: None,
    })
}

fn typed(object: &str, fields: &Record) -> Result<Value, Error> {
    let mut record = Map::new();
    record.insert(
        "attributes".to_owned(),
        json!({"type": soql::name(object)?}),
    );
    for (k, v) in fields {
        if k != "attributes" {
            record.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(record))
}

pub(crate) fn check_id(id: &str) -> Result<&str, Error> {
    if matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(Error::InvalidRequest(format!("not a record id: {id:?}")))
    }
}

/// The `ids=` value of a Collections call: every id checked, comma-separated.
fn id_list(ids: &[String]) -> Result<String, Error> {
    Ok(ids
        .iter()
        .map(|id| check_id(id))
        .collect::<Result<Vec<_>, _>>()?
        .join(","))
}

impl HttpSalesforce {
    /// Sends `chunks` of rows one call each and concatenates the per-row results.
    async fn save_chunks(
        &self,
        method: Method,
        path: &str,
        rows: Vec<Value>,
        idempotent: bool,
    ) -> Result<Vec<RowResult>, Error> {
        let mut results = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(COLLECTION_LIMIT) {
            let body = json!({"allOrNone": false, "records": chunk});
            let call = Call::with_body(method.clone(), self.api_url(path)?, body, idempotent);
            let answer: Vec<SaveResult> = self.call(&call).await?.json("collections")?;
            if answer.len() != chunk.len() {
                return Err(Error::Decode {
                    what: "collections",
                    message: format!("{} rows for {} records", answer.len(), chunk.len()),
                });
            }
            results.extend(answer.into_iter().map(row_result));
        }
        Ok(results)
    }

    pub(crate) async fn create_records(
        &self,
        records: &[NewRecord],
    ) -> Result<Vec<RowResult>, Error> {
        let rows = records
            .iter()
            .map(|r| typed(&r.object, &r.fields))
            .collect::<Result<Vec<_>, _>>()?;
        // A lost answer to a create must not be replayed: it could create twice.
        self.save_chunks(Method::POST, "composite/sobjects", rows, false)
            .await
    }

    pub(crate) async fn create_one(&self, object: &str, fields: &Record) -> Result<String, Error> {
        let url = self.api_url(&format!("sobjects/{}", soql::name(object)?))?;
        let body = Value::Object(fields.clone());
        let call = Call::with_body(Method::POST, url, body, false);
        let row: SaveResult = self.call(&call).await?.json("create")?;
        row_result(row).map(|saved| saved.id)
    }

    pub(crate) async fn update_records(
        &self,
        records: &[RecordUpdate],
    ) -> Result<Vec<RowResult>, Error> {
        let rows = records
            .iter()
            .map(|r| {
                let mut row = typed(&r.object, &r.fields)?;
                if let Value::Object(map) = &mut row {
                    map.insert("id".to_owned(), Value::String(check_id(&r.id)?.to_owned()));
                }
                Ok(row)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        self.save_chunks(Method::PATCH, "composite/sobjects", rows, true)
            .await
    }

    pub(crate) async fn upsert_records(
        &self,
        object: &str,
        external_id_field: &str,
        records: &[Record],
    ) -> Result<Vec<RowResult>, Error> {
        let rows = records
            .iter()
            .map(|r| typed(object, r))
            .collect::<Result<Vec<_>, _>>()?;
        let path = format!(
            "composite/sobjects/{}/{}",
            soql::name(object)?,
            soql::name(external_id_field)?
        );
        self.save_chunks(Method::PATCH, &path, rows, true).await
    }

    pub(crate) async fn delete_records(&self, ids: &[String]) -> Result<Vec<RowResult>, Error> {
        let mut results = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(COLLECTION_LIMIT) {
            let list = id_list(chunk)?;
            let mut url = self.api_url("composite/sobjects")?;
            url.query_pairs_mut()
                .append_pair("ids", &list)
                .append_pair("allOrNone", "false");
            let call = Call {
                method: Method::DELETE,
                ..Call::get(url)
            };
            let answer: Vec<SaveResult> = self.call(&call).await?.json("collections")?;
            results.extend(answer.into_iter().map(row_result));
        }
        Ok(results)
    }

    pub(crate) async fn retrieve_records(
        &self,
        object: &str,
        ids: &[String],
        fields: &[&str],
    ) -> Result<Vec<Option<Record>>, Error> {
        let object = soql::name(object)?;
        let fields = fields
            .iter()
            .map(|f| soql::name(f))
            .collect::<Result<Vec<_>, _>>()?
            .join(",");
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(COLLECTION_LIMIT) {
            let list = id_list(chunk)?;
            let mut url = self.api_url(&format!("composite/sobjects/{object}"))?;
            url.query_pairs_mut()
                .append_pair("ids", &list)
                .append_pair("fields", &fields);
            let answer: Vec<Option<Record>> = self.get_json(url, "retrieve").await?;
            out.extend(answer);
        }
        Ok(out)
    }

    pub(crate) async fn send_composite(
        &self,
        request: &CompositeRequest,
    ) -> Result<CompositeResponse, Error> {
        if request.composite_request.is_empty() || request.composite_request.len() > 25 {
            return Err(Error::InvalidRequest(format!(
                "composite needs 1 to 25 subrequests, got {}",
                request.composite_request.len()
            )));
        }
        let idempotent = request
            .composite_request
            .iter()
            .all(|s| s.method.eq_ignore_ascii_case("GET"));
        let body = serde_json::to_value(request).map_err(|e| Error::Decode {
            what: "composite request",
            message: e.to_string(),
        })?;
        let call = Call::with_body(Method::POST, self.api_url("composite")?, body, idempotent);
        self.call(&call).await?.json("composite")
    }
}
