//! Validation of contact / account bodies against the field definitions (standard + custom).
//!
//! Every problem is collected, then reported at once as `422 INVALID_DATA` with pointer-style
//! `errors` (`/email`, `/cf/cf_sf_id`). Rules: strings only for text-like types, length caps in
//! characters (doc §5 / §6; `city`/`state`/`country` allow 100 on create, 30 on update), email
//! syntax, picklist values, existing ids for look-ups, mandatory fields on create (and not
//! clearable on update). Read-only keys of the full record are accepted and ignored, so a client
//! may send back what it read; any other unknown key is an error.

use serde_json::{Map, Value};

use super::error::{DeskError, FieldError};
use super::model::{CREATE_CAP_100, FieldDef, FieldType, Module, is_read_only, standard_fields};
use super::state::Db;

/// Create or update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Create,
    Update,
}

/// A validated body: the values to write (`null` clears).
#[derive(Clone, Debug, Default)]
pub(crate) struct Changes {
    pub(crate) fields: Map<String, Value>,
    pub(crate) cf: Map<String, Value>,
}

pub(crate) fn validate(
    db: &Db,
    module: Module,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<Changes, DeskError> {
    let std_defs = standard_fields(module);
    let mut changes = Changes::default();
    let mut errors = Vec::new();
    for (key, value) in body {
        if key == "cf" {
            match value {
                Value::Object(cf) => {
                    for (cf_key, cf_value) in cf {
                        let path = format!("/cf/{cf_key}");
                        match db.custom(module).iter().find(|d| &d.api_name == cf_key) {
                            Some(def) => match check(db, def, cf_value, mode, &path) {
                                Ok(v) => {
                                    changes.cf.insert(cf_key.clone(), v);
                                }
                                Err(e) => errors.push(e),
                            },
                            None => errors.push(FieldError::invalid(
                                path,
                                format!("Unknown custom field '{cf_key}'."),
                            )),
                        }
                    }
                }
                Value::Null => {}
                _ => errors.push(FieldError::invalid("/cf", "'cf' must be an object.")),
            }
            continue;
        }
        let path = format!("/{key}");
        match std_defs.iter().find(|d| &d.api_name == key) {
            Some(def) => match check(db, def, value, mode, &path) {
                Ok(v) => {
                    changes.fields.insert(key.clone(), v);
                }
                Err(e) => errors.push(e),
            },
            None if is_read_only(key) => {}
            None => errors.push(FieldError::invalid(
                path,
                format!("Extra key '{key}' is present in the input."),
            )),
        }
    }
    if mode == Mode::Create {
        for def in std_defs.iter().filter(|d| d.mandatory) {
            let present = body.get(&def.api_name).is_some_and(|v| !is_blank(v));
            if !present
                && !errors
                    .iter()
                    .any(|e| e.field_name == format!("/{}", def.api_name))
            {
                errors.push(FieldError::missing(format!("/{}", def.api_name)));
            }
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(DeskError::invalid_fields(errors))
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Checks one value; returns the value to store.
fn check(
    db: &Db,
    def: &FieldDef,
    value: &Value,
    mode: Mode,
    path: &str,
) -> Result<Value, FieldError> {
    if is_blank(value) {
        if def.mandatory {
            return Err(FieldError::missing(path));
        }
        return Ok(Value::Null);
    }
    let name = &def.api_name;
    let invalid = |msg: String| FieldError::invalid(path, msg);
    match def.kind {
        FieldType::Number | FieldType::Decimal | FieldType::Percent | FieldType::Currency => {
            let ok = match value {
                Value::Number(_) => true,
                Value::String(s) => s.trim().parse::<f64>().is_ok(),
                _ => false,
            };
            if !ok {
                return Err(invalid(format!("The value of '{name}' must be numeric.")));
            }
            if let (Value::String(s), Some(max)) = (value, def.max_length)
                && s.chars().count() > max
            {
                return Err(invalid(format!(
                    "The value of '{name}' exceeds {max} characters."
                )));
            }
            Ok(value.clone())
        }
        FieldType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(invalid(format!("The value of '{name}' must be a boolean."))),
        },
        _ => {
            let Value::String(s) = value else {
                return Err(invalid(format!("The value of '{name}' must be a string.")));
            };
            let mut max = def.max_length;
            if mode == Mode::Create && !def.custom && CREATE_CAP_100.contains(&name.as_str()) {
                max = Some(100);
            }
            if let Some(max) = max
                && s.chars().count() > max
            {
                return Err(invalid(format!(
                    "The value of '{name}' exceeds {max} characters."
                )));
            }
            match def.kind {
                FieldType::Email if !is_email(s) => Err(invalid(format!(
                    "The value of '{name}' is not a valid email address."
                ))),
                FieldType::Url if s.chars().any(char::is_whitespace) || !s.contains('.') => Err(
                    invalid(format!("The value of '{name}' is not a valid URL.")),
                ),
                FieldType::Picklist => match &def.allowed_values {
                    Some(values) if !values.iter().any(|v| v == s) => Err(invalid(format!(
                        "'{s}' is not an allowed value of '{name}'."
                    ))),
                    _ => Ok(value.clone()),
                },
                FieldType::Date if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() => {
                    Err(invalid(format!(
                        "The value of '{name}' must be a date (yyyy-MM-dd)."
                    )))
                }
                FieldType::DateTime if chrono::DateTime::parse_from_rfc3339(s).is_err() => Err(
                    invalid(format!("The value of '{name}' must be an ISO date-time.")),
                ),
                FieldType::LookUp => {
                    let exists = match name.as_str() {
                        "accountId" => db.live(Module::Accounts, s).is_some(),
                        "ownerId" => db.agent(s).is_some(),
                        "contactId" => db.live(Module::Contacts, s).is_some(),
                        _ => true,
                    };
                    if exists {
                        Ok(value.clone())
                    } else {
                        Err(invalid(format!("No record with id '{s}' for '{name}'.")))
                    }
                }
                _ => Ok(value.clone()),
            }
        }
    }
}

/// A plain syntactic check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_syntax() {
        assert!(is_email("jade@zylker.com"));
        assert!(is_email("a.b+c@x.co.uk"));
        for bad in [
            "",
            "jade",
            "jade@",
            "@zylker.com",
            "ja de@zylker.com",
            "jade@zylker",
            "a@b@c.com",
            "a@b..com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
