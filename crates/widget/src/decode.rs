//! Reads the server's answers and the SDK's values into typed data without serde: a derived
//! `Deserialize` per wire type, driven through `serde-wasm-bindgen`, is most of a wasm's decoding
//! code. Pure and generic over [`Json`], so the same readers run on the browser's parsed values
//! (`js_json.rs`) and on `serde_json` values in native tests.
//!
//! The rules are the wire types' serde rules: a required key must be there with its type; an
//! optional one may be absent or `null`, never of another type. SDK ids may be strings or
//! numbers and always come out as decimal strings ([`id`]).

use sfdesk_shared::error::ErrorBody;
use sfdesk_shared::permissions::Access;
use sfdesk_shared::profile::{
    AccountInfo, ActionResult, Activity, ContactInfo, Highlight, Levels, NotFound, Note, NoteKind,
    Opportunity, Profile, Section,
};
use sfdesk_shared::session::{SessionAgent, SessionGrant};

use crate::model::{DeskUser, TicketInfo};

/// A parsed JSON value, as much of it as the readers need.
pub(crate) trait Json: Sized {
    /// The value under `key` of an object; `None` when absent, `null` or `undefined`.
    fn get(&self, key: &str) -> Option<Self>;
    /// The value as a string, when it is one.
    fn string(&self) -> Option<String>;
    /// The value as a number, when it is one.
    fn number(&self) -> Option<f64>;
    /// The value as a boolean, when it is one.
    fn boolean(&self) -> Option<bool>;
    /// The elements of an array, when it is one.
    fn items(&self) -> Option<Vec<Self>>;
}

/// What did not decode: the key, or the kind of value, that was missing or mistyped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid(pub(crate) &'static str);

type Read<T> = Result<T, Invalid>;

fn req<J: Json, T>(v: &J, key: &'static str, read: impl Fn(&J) -> Option<T>) -> Read<T> {
    v.get(key).as_ref().and_then(read).ok_or(Invalid(key))
}

fn opt<J: Json, T>(v: &J, key: &'static str, read: impl Fn(&J) -> Option<T>) -> Read<Option<T>> {
    v.get(key).map(|x| read(&x).ok_or(Invalid(key))).transpose()
}

fn text<J: Json>(v: &J, key: &'static str) -> Read<String> {
    req(v, key, J::string)
}

fn opt_text<J: Json>(v: &J, key: &'static str) -> Read<Option<String>> {
    opt(v, key, J::string)
}

fn flag<J: Json>(v: &J, key: &'static str) -> Read<bool> {
    req(v, key, J::boolean)
}

/// A string as is; `None` for anything else.
pub(crate) fn string<J: Json>(v: &J) -> Read<String> {
    v.string().ok_or(Invalid("a string"))
}

/// An SDK id: a non-empty string, or an integer JavaScript holds exactly, as its decimal text.
pub(crate) fn id<J: Json>(v: &J) -> Read<String> {
    opt_id(Some(v))?.ok_or(Invalid("an id"))
}

/// Like [`id`], but absent, `null` and `""` are `None`.
fn opt_id<J: Json>(v: Option<&J>) -> Read<Option<String>> {
    let Some(v) = v else { return Ok(None) };
    if let Some(s) = v.string() {
        return Ok((!s.is_empty()).then_some(s));
    }
    match v.number() {
        // Up to 2^53 - 1: above it a number no longer names one id.
        Some(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 => {
            Ok(Some((n as i64).to_string()))
        }
        _ => Err(Invalid("an id as string or number")),
    }
}

/// `ZOHODESK.get("ticket")`.
pub(crate) fn ticket<J: Json>(v: &J) -> Read<TicketInfo> {
    Ok(TicketInfo {
        id: v.get("id").as_ref().map_or(Err(Invalid("id")), id)?,
        number: opt_id(v.get("number").as_ref())?,
        subject: opt_text(v, "subject")?,
        email: opt_text(v, "email")?,
    })
}

/// `ZOHODESK.get("user")`.
pub(crate) fn desk_user<J: Json>(v: &J) -> Read<DeskUser> {
    Ok(DeskUser {
        id: v.get("id").as_ref().map_or(Err(Invalid("id")), id)?,
        email: opt_text(v, "email")?,
    })
}

/// A [`SessionGrant`] (the refresh answer, the popup's message, the stored session).
pub(crate) fn grant<J: Json>(v: &J) -> Read<SessionGrant> {
    let agent = v.get("agent").ok_or(Invalid("agent"))?;
    Ok(SessionGrant {
        token: text(v, "token")?,
        expires_at: text(v, "expires_at")?,
        agent: SessionAgent {
            agent_id: text(&agent, "agent_id")?,
            name: text(&agent, "name")?,
            role_id: text(&agent, "role_id")?,
            role_name: text(&agent, "role_name")?,
            is_admin: flag(&agent, "is_admin")?,
        },
    })
}

/// The body of a 4xx/5xx answer.
pub(crate) fn error_body<J: Json>(v: &J) -> Read<ErrorBody> {
    Ok(ErrorBody {
        code: text(v, "code")?,
        message: text(v, "message")?,
        request_id: opt_text(v, "request_id")?,
    })
}

/// What an action created.
pub(crate) fn action_result<J: Json>(v: &J) -> Read<ActionResult> {
    Ok(ActionResult {
        object: text(v, "object")?,
        id: text(v, "id")?,
        url: text(v, "url")?,
    })
}

/// A `not_found` profile answer (its `status` already read).
pub(crate) fn not_found<J: Json>(v: &J) -> Read<NotFound> {
    Ok(NotFound {
        fetched_at: text(v, "fetched_at")?,
        looked_up: opt_text(v, "looked_up")?,
        object: text(v, "object")?,
        can_create: flag(v, "can_create")?,
        can_log_ticket: flag(v, "can_log_ticket")?,
    })
}

/// A `found` profile answer (its `status` already read).
pub(crate) fn profile<J: Json>(v: &J) -> Read<Profile> {
    let levels = v.get("levels").ok_or(Invalid("levels"))?;
    Ok(Profile {
        fetched_at: text(v, "fetched_at")?,
        levels: Levels {
            info: access(&levels, "info")?,
            opportunities: access(&levels, "opportunities")?,
            notes: access(&levels, "notes")?,
            activities: access(&levels, "activities")?,
        },
        contact: opt(v, "contact", |c| contact(c).ok())?,
        account: opt(v, "account", |a| account(a).ok())?,
        opportunities: section(v, "opportunities", opportunity)?,
        notes: section(v, "notes", note)?,
        tasks: section(v, "tasks", activity)?,
        calls: section(v, "calls", activity)?,
        meetings: section(v, "meetings", activity)?,
        can_log_ticket: flag(v, "can_log_ticket")?,
    })
}

fn access<J: Json>(v: &J, key: &'static str) -> Read<Access> {
    match req(v, key, J::string)?.as_str() {
        "full" => Ok(Access::Full),
        "limited" => Ok(Access::Limited),
        "none" => Ok(Access::None),
        _ => Err(Invalid(key)),
    }
}

fn section<J: Json, T>(
    v: &J,
    key: &'static str,
    item: fn(&J) -> Read<T>,
) -> Read<Option<Section<T>>> {
    let Some(s) = v.get(key) else {
        return Ok(None);
    };
    let total = req(&s, "total", J::number)?;
    if total.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&total) {
        return Err(Invalid("total"));
    }
    let items = s.get("items").and_then(|i| i.items()).ok_or(Invalid(key))?;
    Ok(Some(Section {
        total: total as u32,
        more: flag(&s, "more")?,
        items: items.iter().map(item).collect::<Read<_>>()?,
    }))
}

fn contact<J: Json>(v: &J) -> Read<ContactInfo> {
    Ok(ContactInfo {
        id: text(v, "id")?,
        name: text(v, "name")?,
        title: opt_text(v, "title")?,
        department: opt_text(v, "department")?,
        email: opt_text(v, "email")?,
        phone: opt_text(v, "phone")?,
        mobile_phone: opt_text(v, "mobile_phone")?,
        mailing_address: opt_text(v, "mailing_address")?,
        owner: opt_text(v, "owner")?,
        url: text(v, "url")?,
    })
}

fn account<J: Json>(v: &J) -> Read<AccountInfo> {
    Ok(AccountInfo {
        id: text(v, "id")?,
        name: text(v, "name")?,
        account_type: opt_text(v, "type")?,
        industry: opt_text(v, "industry")?,
        website: opt_text(v, "website")?,
        phone: opt_text(v, "phone")?,
        billing_address: opt_text(v, "billing_address")?,
        annual_revenue: opt(v, "annual_revenue", J::number)?,
        employees: opt(v, "employees", |e| {
            e.number().filter(|n| n.fract() == 0.0).map(|n| n as i64)
        })?,
        owner: opt_text(v, "owner")?,
        highlight: opt(v, "highlight", |h| {
            Some(Highlight {
                label: text(h, "label").ok()?,
                value: text(h, "value").ok()?,
            })
        })?,
        url: text(v, "url")?,
    })
}

fn opportunity<J: Json>(v: &J) -> Read<Opportunity> {
    Ok(Opportunity {
        id: text(v, "id")?,
        name: text(v, "name")?,
        stage: opt_text(v, "stage")?,
        amount: opt(v, "amount", J::number)?,
        close_date: opt_text(v, "close_date")?,
        owner: opt_text(v, "owner")?,
        url: text(v, "url")?,
    })
}

fn note<J: Json>(v: &J) -> Read<Note> {
    Ok(Note {
        id: text(v, "id")?,
        kind: match text(v, "kind")?.as_str() {
            "classic" => NoteKind::Classic,
            "lightning" => NoteKind::Lightning,
            _ => return Err(Invalid("kind")),
        },
        title: text(v, "title")?,
        excerpt: opt_text(v, "excerpt")?,
        author: opt_text(v, "author")?,
        date: opt_text(v, "date")?,
        url: text(v, "url")?,
    })
}

fn activity<J: Json>(v: &J) -> Read<Activity> {
    Ok(Activity {
        id: text(v, "id")?,
        subject: text(v, "subject")?,
        date: opt_text(v, "date")?,
        status: opt_text(v, "status")?,
        owner: opt_text(v, "owner")?,
        url: text(v, "url")?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    impl Json for Value {
        fn get(&self, key: &str) -> Option<Self> {
            self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
        }
        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn items(&self) -> Option<Vec<Self>> {
            self.as_array().cloned()
        }
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("json")
    }

    /// The readers agree with the wire types' own serde rules.
    #[test]
    fn profiles_read_like_serde_reads_them() {
        let text = crate::present::tests::FULL;
        let serde: Profile = serde_json::from_str(text).expect("serde profile");
        assert_eq!(profile(&parse(text)), Ok(serde));

        let not_found_text = r#"{"status":"not_found","fetched_at":"2026-11-26T10:00:00Z",
            "object":"Account","can_create":true,"can_log_ticket":false}"#;
        let serde: sfdesk_shared::profile::ProfileResponse =
            serde_json::from_str(not_found_text).expect("serde not found");
        let ours = not_found(&parse(not_found_text)).expect("not found");
        assert_eq!(
            sfdesk_shared::profile::ProfileResponse::NotFound(ours),
            serde
        );
    }

    #[test]
    fn required_keys_and_types_are_checked() {
        let good = json!({"fetched_at": "x", "can_log_ticket": false,
            "levels": {"info": "full", "opportunities": "none", "notes": "limited", "activities": "full"}});
        assert!(profile(&good).is_ok());
        let mut bad = good.clone();
        bad["levels"]["notes"] = json!("partial");
        assert_eq!(profile(&bad), Err(Invalid("notes")));
        let mut bad = good.clone();
        bad["tasks"] = json!({"total": 1, "more": false, "items": [{"id": "1", "url": "u"}]});
        assert_eq!(profile(&bad), Err(Invalid("subject")));
        let mut bad = good;
        bad["contact"] = json!({"id": "1", "name": "A", "url": "u", "email": 7});
        assert_eq!(profile(&bad), Err(Invalid("contact")));
        assert_eq!(
            error_body(&json!({"code": "c", "message": "m", "request_id": null})),
            Ok(ErrorBody {
                code: "c".into(),
                message: "m".into(),
                request_id: None
            })
        );
        assert_eq!(error_body(&json!({"message": "m"})), Err(Invalid("code")));
    }

    #[test]
    fn grants_read_like_serde_reads_them() {
        let text = r#"{"type":"sfdesk-session","token":"t","expires_at":"2026-11-26T10:00:00Z",
            "agent":{"agent_id":"1","name":"Jade","role_id":"9","role_name":"Agent","is_admin":false}}"#;
        let serde: SessionGrant = serde_json::from_str(text).expect("serde grant");
        assert_eq!(grant(&parse(text)), Ok(serde));
        assert_eq!(grant(&json!({"token": "t"})), Err(Invalid("agent")));
        let result = json!({"object": "Task", "id": "00T", "url": "https://x"});
        assert_eq!(action_result(&result).map(|r| r.object), Ok("Task".into()));
    }

    #[test]
    fn ids_read_from_strings_and_numbers() {
        assert_eq!(
            id(&json!("1892000000042032")),
            Ok("1892000000042032".into())
        );
        assert_eq!(id(&json!(42)), Ok("42".into()));
        assert_eq!(id(&json!(42.0)), Ok("42".into()));
        assert!(id(&json!(4.5)).is_err());
        assert!(id(&json!("")).is_err());
        assert!(id(&json!(true)).is_err());
        assert_eq!(string(&json!("a@b.c")), Ok("a@b.c".into()));
        assert!(string(&json!(1)).is_err());
    }
}
