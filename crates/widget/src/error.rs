//! [`WidgetError`]: everything that can stop the panel from showing a profile, and how each
//! reads to the agent.

use std::fmt;

use crate::host::HostError;
use crate::i18n::Strings;

/// Why the panel cannot show what it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WidgetError {
    /// The Desk SDK did not give the context.
    Host(HostError),
    /// No usable session: the agent must sign in (shown as the sign-in state, not an error).
    SignInRequired,
    /// The server answered 4xx/5xx with an `ErrorBody`.
    Api {
        /// HTTP status.
        status: u16,
        /// The body's machine-readable code (empty when the body was not an `ErrorBody`).
        code: String,
        /// The server's message, shown as is.
        message: String,
        /// The request id, for support.
        request_id: Option<String>,
    },
    /// The request did not get an answer.
    Network(String),
    /// The answer did not have the documented shape.
    Decode(String),
    /// An action was asked for on a page without a record.
    NoRecord,
}

impl WidgetError {
    /// What the error state shows, in the panel's language where the text is ours.
    pub(crate) fn message(&self, t: &Strings) -> String {
        match self {
            Self::Network(detail) => format!("{}: {detail}", t.network_error),
            Self::SignInRequired => t.sign_in_title.to_owned(),
            _ => self.to_string(),
        }
    }

    /// Whether this came from the host SDK (so a retry reconnects to Desk).
    pub(crate) fn is_host(&self) -> bool {
        matches!(self, Self::Host(_))
    }
}

impl fmt::Display for WidgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host(e) => e.fmt(f),
            Self::SignInRequired => f.write_str("Sign in to see Salesforce data."),
            Self::Api {
                message,
                request_id: Some(id),
                ..
            } => write!(f, "{message} (request {id})"),
            Self::Api { message, .. } => f.write_str(message),
            Self::Network(detail) => write!(f, "Could not reach sfdesk: {detail}"),
            Self::Decode(detail) => write!(f, "sfdesk sent an unexpected answer: {detail}"),
            Self::NoRecord => f.write_str("This page has no record to act on."),
        }
    }
}

impl std::error::Error for WidgetError {}

impl From<HostError> for WidgetError {
    fn from(e: HostError) -> Self {
        Self::Host(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn errors_read_well_in_both_languages() {
        let api = WidgetError::Api {
            status: 403,
            code: "forbidden".into(),
            message: "Your role may not see this.".into(),
            request_id: Some("r-1".into()),
        };
        assert_eq!(api.to_string(), "Your role may not see this. (request r-1)");
        assert_eq!(api.message(Lang::Zh.strings()), api.to_string());
        let net = WidgetError::Network("timeout".into());
        assert_eq!(
            net.message(Lang::En.strings()),
            "Could not reach sfdesk: timeout"
        );
        assert_eq!(net.message(Lang::Zh.strings()), "无法连接 sfdesk: timeout");
        assert!(WidgetError::Host(HostError::SdkMissing).is_host());
        assert!(!net.is_host());
    }
}
