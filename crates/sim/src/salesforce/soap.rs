//! The one SOAP call the REST API lacks: `undelete` (`POST /services/Soap/u/{version}`, partner
//! WSDL). The envelope carries the access token as `sessionId` and up to 200 `ids`; the answer
//! is one `result` per id (`id`, `success`, `errors`). Parsing is by element name, namespace
//! prefixes ignored — enough for the envelopes clients send.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::errors::{Body, Reply};
use super::oauth;
use super::records::{self, Caller};
use super::sim::Ctx;

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

fn fault(code: &str, message: &str, status: StatusCode) -> Response {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
    );
    Reply {
        status,
        body: Body::Text(xml, "text/xml;charset=UTF-8"),
        headers: Vec::new(),
    }
    .into_response()
}

/// `POST /services/Soap/u/{version}`: `undelete` only.
pub(crate) async fn soap(State(ctx): State<Arc<Ctx>>, body: Bytes) -> Response {
    let xml = String::from_utf8_lossy(&body);
    let Some(session) = elements(&xml, "sessionId").first().map(|s| (*s).to_owned()) else {
        return fault(
            "INVALID_SESSION_ID",
            "Invalid Session ID found in SessionHeader: Illegal Session",
            StatusCode::INTERNAL_SERVER_ERROR,
        );
    };
    let now = ctx.clock.now();
    let mut db = ctx.db();
    let Some(user) = oauth::session_user(&ctx, &mut db, &session, now) else {
        return fault(
            "INVALID_SESSION_ID",
            "Invalid Session ID found in SessionHeader: Illegal Session",
            StatusCode::INTERNAL_SERVER_ERROR,
        );
    };
    if elements(&xml, "undelete").is_empty() {
        return fault(
            "UNKNOWN_EXCEPTION",
            "only undelete is simulated",
            StatusCode::INTERNAL_SERVER_ERROR,
        );
    }
    let ids: Vec<String> = elements(&xml, "ids")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if ids.len() > 200 {
        return fault(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
            StatusCode::INTERNAL_SERVER_ERROR,
        );
    }
    let caller = Caller {
        user_id: user,
        allow_duplicates: true,
    };
    let mut results = String::new();
    for id in &ids {
        let full = super::ids::to_18(id).unwrap_or_else(|| id.clone());
        match records::undelete(&ctx, &mut db, &caller, id) {
            Ok(()) => results.push_str(&format!(
                "<result><id>{full}</id><success>true</success></result>"
            )),
            Err(e) => results.push_str(&format!(
                "<result><errors><message>{}</message><statusCode>{}</statusCode></errors><id xsi:nil=\"true\"/><success>false</success></result>",
                e.message, e.code
            )),
        }
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><undeleteResponse>{results}</undeleteResponse></soapenv:Body></soapenv:Envelope>"#
    );
    Reply {
        status: StatusCode::OK,
        body: Body::Text(xml, "text/xml;charset=UTF-8"),
        headers: Vec::new(),
    }
    .into_response()
}
