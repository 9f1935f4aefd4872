//! The SOAP `undelete` call (partner API, `POST /services/Soap/u/NN.0`): the REST API cannot
//! restore a record from the recycle bin.
//!
//! The access token travels in the envelope's `SessionHeader` instead of an `Authorization`
//! header, so the envelope is built only where the request is (the client's send path) and
//! never logged. Faults (`sf:INVALID_SESSION_ID`, …) become [`Error::Api`] with the fault code, so
//! an expired session is renewed and replayed like any REST call. Parsing reads elements by local
//! name, ignoring namespace prefixes: enough for the partner API's flat answers.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use super::client::{Call, HttpSalesforce};
use super::error::ErrorCode;
use super::write::{COLLECTION_LIMIT, RowResult, SavedRow, check_id};
use super::{Error, write};

impl HttpSalesforce {
    pub(crate) async fn undelete_records(&self, ids: &[String]) -> Result<Vec<RowResult>, Error> {
        let mut results = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(COLLECTION_LIMIT) {
            let chunk = chunk
                .iter()
                .map(|id| check_id(id).map(str::to_owned))
                .collect::<Result<Vec<_>, _>>()?;
            let url = self
                .settings
                .instance_url
                .join(&format!("services/Soap/u/{}", self.settings.api_version))
                .map_err(|e| Error::InvalidRequest(format!("bad SOAP path: {e}")))?;
            let call = Call {
                method: Method::POST,
                soap_undelete: Some(chunk.clone()),
                ..Call::get(url)
            };
            let answer = self.call(&call).await?;
            let xml = String::from_utf8_lossy(&answer.body);
            let rows = parse_results(&xml);
            if rows.len() != chunk.len() {
                return Err(Error::Decode {
                    what: "undelete",
                    message: format!("{} results for {} ids", rows.len(), chunk.len()),
                });
            }
            results.extend(rows);
        }
        Ok(results)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The request envelope. Exposes the token: call only while building the request.
pub(crate) fn envelope(token: &SecretString, ids: &[String]) -> String {
    let ids: String = ids
        .iter()
        .map(|id| format!("<urn:ids>{}</urn:ids>", escape(id)))
        .collect();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">"#,
            r#"<soapenv:Header><urn:SessionHeader><urn:sessionId>{}</urn:sessionId></urn:SessionHeader></soapenv:Header>"#,
            r#"<soapenv:Body><urn:undelete>{}</urn:undelete></soapenv:Body></soapenv:Envelope>"#
        ),
        escape(token.expose_secret()),
        ids
    )
}

/// The texts of every `<local>` element (any prefix), outermost first.
fn elements<'a>(xml: &'a str, local: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(end) = after.find('>') else { break };
        let tag = &after[..end];
        let name = tag.split_whitespace().next().unwrap_or_default();
        let bare = name.rsplit(':').next().unwrap_or(name);
        rest = &after[end + 1..];
        if bare == local && !name.starts_with('/') && !tag.ends_with('/') {
            let close = format!("</{name}>");
            if let Some(stop) = rest.find(&close) {
                out.push(rest[..stop].trim());
                rest = &rest[stop + close.len()..];
            }
        }
    }
    out
}

fn first(xml: &str, local: &str) -> Option<String> {
    elements(xml, local).first().map(|text| unescape(text))
}

/// One `<result>` per id, in order.
pub(crate) fn parse_results(xml: &str) -> Vec<RowResult> {
    elements(xml, "result")
        .into_iter()
        .map(|result| {
            if first(result, "success").as_deref() == Some("true") {
                return match first(result, "id") {
                    Some(id) => Ok(SavedRow { id, created: None }),
                    None => Err(Error::Decode {
                        what: "undelete",
                        message: "success without id".to_owned(),
                    }),
                };
            }
            let errors = elements(result, "errors");
            let error = errors.first().copied().unwrap_or_default();
            Err(write::row_error(
                &first(error, "statusCode").unwrap_or_default(),
                first(error, "message").unwrap_or_default(),
            ))
        })
        .collect()
}

/// The error of a SOAP fault answer (`<faultcode>sf:CODE</faultcode>`).
pub(crate) fn fault(status: u16, body: &[u8]) -> Error {
    let xml = String::from_utf8_lossy(body);
    let Some(code) = first(&xml, "faultcode") else {
        return Error::Status { status };
    };
    let code = code.rsplit(':').next().unwrap_or_default().to_owned();
    let message = first(&xml, "faultstring").unwrap_or_default();
    // `faultstring` repeats the code: "INVALID_SESSION_ID: Invalid Session ID …".
    let message = message
        .strip_prefix(&format!("{code}: "))
        .map_or(message.clone(), str::to_owned);
    let code = ErrorCode::parse(&code);
    // A bad session is a 500 in SOAP; give it REST's 401 so renewal and retry treat it alike.
    let status = if code == ErrorCode::InvalidSessionId {
        401
    } else {
        status
    };
    Error::Api {
        status,
        code,
        message,
        fields: Vec::new(),
        duplicate: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_escapes_and_results_parse() {
        let xml = envelope(&SecretString::from("00D!a<b"), &["001".to_owned()]);
        assert!(xml.contains("<urn:sessionId>00D!a&lt;b</urn:sessionId>"));
        assert!(xml.contains("<urn:undelete><urn:ids>001</urn:ids></urn:undelete>"));
        let answer = r#"<soapenv:Envelope><soapenv:Body><undeleteResponse><result><id>003A</id><success>true</success></result><result><errors><message>entity is deleted &amp; gone</message><statusCode>ENTITY_IS_DELETED</statusCode></errors><id xsi:nil="true"/><success>false</success></result></undeleteResponse></soapenv:Body></soapenv:Envelope>"#;
        let rows = parse_results(answer);
        assert_eq!(rows[0].as_ref().map(|r| r.id.as_str()).ok(), Some("003A"));
        match &rows[1] {
            Err(Error::Api { code, message, .. }) => {
                assert_eq!(code, &ErrorCode::EntityIsDeleted);
                assert_eq!(message, "entity is deleted & gone");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn faults_become_typed_errors() {
        let body = br#"<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
        let err = fault(500, body);
        assert!(err.is_invalid_session());
        assert!(
            err.to_string()
                .ends_with(": Invalid Session ID found in SessionHeader: Illegal Session")
        );
        assert!(matches!(
            fault(502, b"<html/>"),
            Error::Status { status: 502 }
        ));
    }
}
