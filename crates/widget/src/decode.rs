//! Reads the server's answers and the SDK's values into typed data without serde: a derived
//! `Deserialize` per wire type, driven through `serde-wasm-bindgen`, is most of a wasm's decoding
//! code. Pure and generic over [`Json`], so the same readers run on the browser's parsed values
//! (`js_json.rs`) and on `serde_json` values in native tests.
//!
//! The rules are the wire types' serde rules: a required key must be there with its type; an
//! optional one may be absent or `null`, never of another type. SDK ids may be strings or
//! numbers and always come out as decimal strings ([`id`]). A failure names the first key of
//! the top-level object that did not decode ([`Invalid`]).

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

/// Reads the keys of one object, keeping the first that did not decode: a missing or mistyped
/// key reads as a default and [`Fields::finish`] turns it into the error. One call per field
/// and one check per object (a `?` per field would make the wasm drop every field read so far
/// at each of them).
struct Fields<'a, J> {
    v: &'a J,
    bad: Option<&'static str>,
}

impl<'a, J: Json> Fields<'a, J> {
    fn of(v: &'a J) -> Self {
        Self { v, bad: None }
    }

    /// The value under `key` as `read` reads it; absent or `null` is `None`.
    fn opt<T>(&mut self, key: &'static str, read: impl Fn(&J) -> Option<T>) -> Option<T> {
        let value = self.v.get(key)?;
        let read = read(&value);
        if read.is_none() {
            self.bad.get_or_insert(key);
        }
        read
    }

    /// Like [`Fields::opt`], but the key must be there.
    fn must<T>(&mut self, key: &'static str, read: impl Fn(&J) -> Option<T>) -> Option<T> {
        let read = self.opt(key, read);
        if read.is_none() {
            self.bad.get_or_insert(key);
        }
        read
    }

    /// [`Fields::must`] for types with a stand-in (never returned: [`Fields::finish`] fails).
    fn req<T: Default>(&mut self, key: &'static str, read: impl Fn(&J) -> Option<T>) -> T {
        self.must(key, read).unwrap_or_default()
    }

    fn text(&mut self, key: &'static str) -> String {
        self.req(key, J::string)
    }

    fn opt_text(&mut self, key: &'static str) -> Option<String> {
        self.opt(key, J::string)
    }

    fn flag(&mut self, key: &'static str) -> bool {
        self.req(key, J::boolean)
    }

    /// `value`, unless a key did not decode.
    fn finish<T>(self, value: T) -> Read<T> {
        match self.bad {
            None => Ok(value),
            Some(key) => Err(Invalid(key)),
        }
    }
}

/// A string as is; `None` for anything else.
pub(crate) fn string<J: Json>(v: &J) -> Read<String> {
    v.string().ok_or(Invalid("a string"))
}

/// An SDK id: a non-empty string, or an integer JavaScript holds exactly, as its decimal text.
pub(crate) fn id<J: Json>(v: &J) -> Read<String> {
    opt_id(v)?.ok_or(Invalid("an id"))
}

/// Like [`id`], but `""` is `None`.
fn opt_id<J: Json>(v: &J) -> Read<Option<String>> {
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
    let mut f = Fields::of(v);
    let ticket = TicketInfo {
        id: f.req("id", |v| id(v).ok()),
        number: f.opt("number", |v| opt_id(v).ok()).flatten(),
        subject: f.opt_text("subject"),
        email: f.opt_text("email"),
    };
    f.finish(ticket)
}

/// `ZOHODESK.get("user")`.
pub(crate) fn desk_user<J: Json>(v: &J) -> Read<DeskUser> {
    let mut f = Fields::of(v);
    let user = DeskUser {
        id: f.req("id", |v| id(v).ok()),
        email: f.opt_text("email"),
    };
    f.finish(user)
}

/// A [`SessionGrant`] (the refresh answer, the popup's message, the stored session).
pub(crate) fn grant<J: Json>(v: &J) -> Read<SessionGrant> {
    let mut f = Fields::of(v);
    let token = f.text("token");
    let expires_at = f.text("expires_at");
    let grant = f
        .must("agent", |a| agent(a).ok())
        .map(|agent| SessionGrant {
            token,
            expires_at,
            agent,
        });
    f.finish(grant)?.ok_or(Invalid("agent"))
}

fn agent<J: Json>(v: &J) -> Read<SessionAgent> {
    let mut f = Fields::of(v);
    let agent = SessionAgent {
        agent_id: f.text("agent_id"),
        name: f.text("name"),
        role_id: f.text("role_id"),
        role_name: f.text("role_name"),
        is_admin: f.flag("is_admin"),
    };
    f.finish(agent)
}

/// The body of a 4xx/5xx answer.
pub(crate) fn error_body<J: Json>(v: &J) -> Read<ErrorBody> {
    let mut f = Fields::of(v);
    let body = ErrorBody {
        code: f.text("code"),
        message: f.text("message"),
        request_id: f.opt_text("request_id"),
    };
    f.finish(body)
}

/// What an action created.
pub(crate) fn action_result<J: Json>(v: &J) -> Read<ActionResult> {
    let mut f = Fields::of(v);
    let result = ActionResult {
        object: f.text("object"),
        id: f.text("id"),
        url: f.text("url"),
    };
    f.finish(result)
}

/// A `not_found` profile answer (its `status` already read).
pub(crate) fn not_found<J: Json>(v: &J) -> Read<NotFound> {
    let mut f = Fields::of(v);
    let not_found = NotFound {
        fetched_at: f.text("fetched_at"),
        looked_up: f.opt_text("looked_up"),
        object: f.text("object"),
        can_create: f.flag("can_create"),
        can_log_ticket: f.flag("can_log_ticket"),
    };
    f.finish(not_found)
}

/// A `found` profile answer (its `status` already read).
pub(crate) fn profile<J: Json>(v: &J) -> Read<Profile> {
    let mut f = Fields::of(v);
    let fetched_at = f.text("fetched_at");
    let levels = f.must("levels", |l| levels(l).ok());
    let profile = levels.map(|levels| Profile {
        fetched_at,
        levels,
        contact: f.opt("contact", |c| contact(c).ok()),
        account: f.opt("account", |a| account(a).ok()),
        opportunities: f.opt("opportunities", |s| section(s, opportunity).ok()),
        notes: f.opt("notes", |s| section(s, note).ok()),
        tasks: f.opt("tasks", |s| section(s, activity).ok()),
        calls: f.opt("calls", |s| section(s, activity).ok()),
        meetings: f.opt("meetings", |s| section(s, activity).ok()),
        can_log_ticket: f.flag("can_log_ticket"),
    });
    f.finish(profile)?.ok_or(Invalid("levels"))
}

fn levels<J: Json>(v: &J) -> Read<Levels> {
    let mut f = Fields::of(v);
    let levels = Levels {
        info: f.req("info", access),
        opportunities: f.req("opportunities", access),
        notes: f.req("notes", access),
        activities: f.req("activities", access),
    };
    f.finish(levels)
}

fn access<J: Json>(v: &J) -> Option<Access> {
    match v.string()?.as_str() {
        "full" => Some(Access::Full),
        "limited" => Some(Access::Limited),
        "none" => Some(Access::None),
        _ => None,
    }
}

fn section<J: Json, T>(v: &J, item: fn(&J) -> Read<T>) -> Read<Section<T>> {
    let mut f = Fields::of(v);
    let total = f.req("total", |t| {
        t.number()
            .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
            .map(|n| n as u32)
    });
    let more = f.flag("more");
    let items = f.req("items", |i| {
        i.items()?
            .iter()
            .map(|x| item(x).ok())
            .collect::<Option<Vec<_>>>()
    });
    f.finish(Section { total, more, items })
}

fn contact<J: Json>(v: &J) -> Read<ContactInfo> {
    let mut f = Fields::of(v);
    let contact = ContactInfo {
        id: f.text("id"),
        name: f.text("name"),
        title: f.opt_text("title"),
        department: f.opt_text("department"),
        email: f.opt_text("email"),
        phone: f.opt_text("phone"),
        mobile_phone: f.opt_text("mobile_phone"),
        mailing_address: f.opt_text("mailing_address"),
        owner: f.opt_text("owner"),
        url: f.text("url"),
    };
    f.finish(contact)
}

fn account<J: Json>(v: &J) -> Read<AccountInfo> {
    let mut f = Fields::of(v);
    let account = AccountInfo {
        id: f.text("id"),
        name: f.text("name"),
        account_type: f.opt_text("type"),
        industry: f.opt_text("industry"),
        website: f.opt_text("website"),
        phone: f.opt_text("phone"),
        billing_address: f.opt_text("billing_address"),
        annual_revenue: f.opt("annual_revenue", J::number),
        employees: f.opt("employees", |e| {
            e.number().filter(|n| n.fract() == 0.0).map(|n| n as i64)
        }),
        owner: f.opt_text("owner"),
        highlight: f.opt("highlight", |h| highlight(h).ok()),
        url: f.text("url"),
    };
    f.finish(account)
}

fn highlight<J: Json>(v: &J) -> Read<Highlight> {
    let mut f = Fields::of(v);
    let highlight = Highlight {
        label: f.text("label"),
        value: f.text("value"),
    };
    f.finish(highlight)
}

fn opportunity<J: Json>(v: &J) -> Read<Opportunity> {
    let mut f = Fields::of(v);
    let opportunity = Opportunity {
        id: f.text("id"),
        name: f.text("name"),
        stage: f.opt_text("stage"),
        amount: f.opt("amount", J::number),
        close_date: f.opt_text("close_date"),
        owner: f.opt_text("owner"),
        url: f.text("url"),
    };
    f.finish(opportunity)
}

fn note<J: Json>(v: &J) -> Read<Note> {
    let mut f = Fields::of(v);
    let id = f.text("id");
    let note = f
        .must("kind", |k| match k.string()?.as_str() {
            "classic" => Some(NoteKind::Classic),
            "lightning" => Some(NoteKind::Lightning),
            _ => None,
        })
        .map(|kind| Note {
            id,
            kind,
            title: f.text("title"),
            excerpt: f.opt_text("excerpt"),
            author: f.opt_text("author"),
            date: f.opt_text("date"),
            url: f.text("url"),
        });
    f.finish(note)?.ok_or(Invalid("kind"))
}

fn activity<J: Json>(v: &J) -> Read<Activity> {
    let mut f = Fields::of(v);
    let activity = Activity {
        id: f.text("id"),
        subject: f.text("subject"),
        date: f.opt_text("date"),
        status: f.opt_text("status"),
        owner: f.opt_text("owner"),
        url: f.text("url"),
    };
    f.finish(activity)
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
        assert_eq!(profile(&bad), Err(Invalid("levels")));
        let mut bad = good.clone();
        bad["tasks"] = json!({"total": 1, "more": false, "items": [{"id": "1", "url": "u"}]});
        assert_eq!(profile(&bad), Err(Invalid("tasks")));
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
        assert_eq!(grant(&json!({"token": "t"})), Err(Invalid("expires_at")));
        assert_eq!(
            grant(&json!({"token": "t", "expires_at": "x"})),
            Err(Invalid("agent"))
        );
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
