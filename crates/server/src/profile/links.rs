//! Text the profile derives from Salesforce values: "View in Salesforce" links
//! ([`RecordLinks`]) and note excerpts ([`excerpt`]).

use url::Url;

/// Builds each record's Lightning URL (API notes, section 12).
///
/// `https://acme.my.salesforce.com` → `https://acme.lightning.force.com/lightning/r/<Object>/<Id>/view`
/// (sandbox and Developer Edition hosts keep their infix); any other host (the simulator's
/// `http://127.0.0.1:port/`) gets `<instance_url>lightning/r/<Object>/<Id>/view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLinks {
    /// Ends with `/`.
    base: String,
}

impl RecordLinks {
    /// The links of the org at `instance_url`.
    #[must_use]
    pub fn new(instance_url: &Url) -> Self {
        let lightning = instance_url
            .host_str()
            .and_then(|host| host.strip_suffix(".my.salesforce.com"))
            .map(|name| format!("https://{name}.lightning.force.com/"));
        let base = lightning.unwrap_or_else(|| {
            let mut url = instance_url.clone();
            url.set_query(None);
            url.set_fragment(None);
            let mut text = url.to_string();
            if !text.ends_with('/') {
                text.push('/');
            }
            text
        });
        Self { base }
    }

    /// The record page of `object`/`id`.
    #[must_use]
    pub fn record(&self, object: &str, id: &str) -> String {
        format!("{}lightning/r/{object}/{id}/view", self.base)
    }
}

/// Most characters of a note excerpt.
pub const EXCERPT_CHARS: usize = 200;

/// The first [`EXCERPT_CHARS`] characters of `body`, whitespace runs collapsed to one space;
/// `None` for an empty body.
#[must_use]
pub fn excerpt(body: &str) -> Option<String> {
    let mut out = String::new();
    let mut count = 0;
    for word in body.split_whitespace() {
        if count > 0 {
            if count == EXCERPT_CHARS {
                break;
            }
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count == EXCERPT_CHARS {
                break;
            }
            out.push(c);
            count += 1;
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(url: &str) -> RecordLinks {
        RecordLinks::new(&Url::parse(url).expect("url"))
    }

    #[test]
    fn lightning_hosts() {
        assert_eq!(
            links("https://acme.my.salesforce.com").record("Contact", "003A"),
            "https://acme.lightning.force.com/lightning/r/Contact/003A/view"
        );
        assert_eq!(
            links("https://acme--uat.sandbox.my.salesforce.com/").record("Account", "001A"),
            "https://acme--uat.sandbox.lightning.force.com/lightning/r/Account/001A/view"
        );
        assert_eq!(
            links("https://acme.develop.my.salesforce.com/").record("Task", "00T"),
            "https://acme.develop.lightning.force.com/lightning/r/Task/00T/view"
        );
        assert_eq!(
            links("http://127.0.0.1:4100/").record("Note", "002"),
            "http://127.0.0.1:4100/lightning/r/Note/002/view"
        );
        assert_eq!(
            links("http://127.0.0.1:4100").record("Note", "002"),
            "http://127.0.0.1:4100/lightning/r/Note/002/view"
        );
    }

    #[test]
    fn excerpts_collapse_whitespace_and_cut_at_200_chars() {
        assert_eq!(excerpt("  a\n\n b\tc  ").as_deref(), Some("a b c"));
        assert_eq!(excerpt(" \n\t"), None);
        let long = "é".repeat(150) + "   " + &"x".repeat(100);
        let cut = excerpt(&long).expect("text");
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.starts_with(&"é".repeat(150)));
        assert_eq!(cut, "é".repeat(150) + " " + &"x".repeat(49));
        // A cut right after a word leaves no trailing space.
        let exact = "a".repeat(200) + " b";
        assert_eq!(excerpt(&exact), Some("a".repeat(200)));
    }
}
