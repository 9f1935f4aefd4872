//! Query-string parsing with Desk's strictness: an unknown parameter is
//! `422 INVALID_DATA "Extra query parameter 'x' is present in the input."`, a bad value of a known
//! one is `422 UNPROCESSABLE_ENTITY`.

use super::error::DeskError;

/// The decoded query parameters of one call.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `raw` and rejects names not in `allowed` (an entry ending in `*` allows a prefix,
    /// e.g. `customField*`).
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, DeskError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        for (name, _) in &pairs {
            let known = allowed.iter().any(|a| match a.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => a == name,
            });
            if !known {
                return Err(DeskError::extra_query_param(name));
            }
        }
        Ok(Self { pairs })
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All `(name, value)` pairs in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// An integer parameter within `min..=max`, `default` when absent.
    pub(crate) fn int(
        &self,
        name: &str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, DeskError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(bad_value(name, v)),
            },
        }
    }

    /// A comma list parameter whose items must all be in `allowed`.
    pub(crate) fn list(&self, name: &str, allowed: &[&str]) -> Result<Vec<String>, DeskError> {
        let Some(v) = self.get(name) else {
            return Ok(Vec::new());
        };
        let items: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() || items.iter().any(|i| !allowed.contains(&i.as_str())) {
            return Err(bad_value(name, v));
        }
        Ok(items)
    }

    /// A required comma list of 1 to `max` ids (blank items skipped).
    pub(crate) fn ids(&self, name: &str, max: usize) -> Result<Vec<&str>, DeskError> {
        let v = self.get(name).unwrap_or_default();
        let ids: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if ids.is_empty() || ids.len() > max {
            return Err(bad_value(name, v));
        }
        Ok(ids)
    }

    /// A boolean parameter (`true` / `false`).
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, DeskError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(v) => Err(bad_value(name, v)),
        }
    }

    /// `sortBy`: a field of `allowed`, `-` prefix for descending. Returns `(field, descending)`.
    pub(crate) fn sort_by(&self, allowed: &[&str]) -> Result<Option<(String, bool)>, DeskError> {
        let Some(v) = self.get("sortBy") else {
            return Ok(None);
        };
        let (field, desc) = match v.strip_prefix('-') {
            Some(f) => (f, true),
            None => (v, false),
        };
        if allowed.contains(&field) {
            Ok(Some((field.to_owned(), desc)))
        } else {
            Err(bad_value("sortBy", v))
        }
    }
}

/// `422 UNPROCESSABLE_ENTITY` for a bad value (wording **(unconfirmed)**).
pub(crate) fn bad_value(name: &str, value: &str) -> DeskError {
    DeskError::Unprocessable(format!(
        "The value '{value}' passed for the query parameter '{name}' is invalid."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_names_and_values() {
        let p = Params::parse(Some("from=1&limit=50"), &["from", "limit"]).unwrap();
        assert_eq!(p.int("from", 1, 1, i64::MAX).unwrap(), 1);
        assert_eq!(p.int("limit", 10, 1, 100).unwrap(), 50);
        let err = Params::parse(Some("from=1&x=2"), &["from"]).unwrap_err();
        assert_eq!(err, DeskError::extra_query_param("x"));
        let p = Params::parse(Some("limit=101"), &["limit"]).unwrap();
        assert!(matches!(
            p.int("limit", 10, 1, 100),
            Err(DeskError::Unprocessable(_))
        ));
        let p = Params::parse(Some("customField1=cf_a%3Ab"), &["customField*"]).unwrap();
        assert_eq!(p.get("customField1"), Some("cf_a:b"));
    }
}
