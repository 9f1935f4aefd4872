//! JSON in the browser: [`Json`] over `JsValue` (what `JSON.parse` and the SDK hand over), and
//! the few bodies the widget writes, built as plain objects and serialized by `JSON.stringify`.

use js_sys::{Array, JSON, Object, Reflect};
use sfdesk_shared::profile::ActionRequest;
use sfdesk_shared::session::SessionGrant;
use wasm_bindgen::JsValue;

use crate::decode::Json;

impl Json for JsValue {
    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_null() && !v.is_undefined())
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| Array::from(self).to_vec())
    }
}

/// `JSON.parse(text)`.
pub(crate) fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok()
}

/// The grant as JSON text (how `sessionStorage` keeps it).
pub(crate) fn grant_text(grant: &SessionGrant) -> Option<String> {
    let agent = &grant.agent;
    let agent = object(&[
        ("agent_id", agent.agent_id.as_str().into()),
        ("name", agent.name.as_str().into()),
        ("role_id", agent.role_id.as_str().into()),
        ("role_name", agent.role_name.as_str().into()),
        ("is_admin", agent.is_admin.into()),
    ]);
    stringify(&object(&[
        ("token", grant.token.as_str().into()),
        ("expires_at", grant.expires_at.as_str().into()),
        ("agent", agent.into()),
    ]))
}

/// An action's body as JSON text; keys without a value are left out.
pub(crate) fn action_text(request: &ActionRequest) -> Option<String> {
    let fields = [
        ("ticket_id", &request.ticket_id),
        ("desk_contact_id", &request.desk_contact_id),
        ("desk_account_id", &request.desk_account_id),
    ];
    let present: Vec<_> = fields
        .into_iter()
        .filter_map(|(key, value)| Some((key, JsValue::from_str(value.as_deref()?))))
        .collect();
    stringify(&object(&present))
}

fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        // Setting a key on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

fn stringify(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok().and_then(|s| s.as_string())
}
