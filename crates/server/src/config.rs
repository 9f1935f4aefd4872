//! The one typed `Config` of the sfdesk server, and how it is loaded.
//!
//! Layers, later ones winning: built-in defaults → an optional TOML file (`--config`) →
//! environment variables `SFDESK__<SECTION>__<KEY>` (for example `SFDESK__DATABASE__URL`).
//! Every struct denies unknown keys, so a typo fails at start-up naming the key instead of
//! being silently ignored. Secrets are [`SecretString`]s and database URLs hide their password:
//! `Debug` of a `Config` never prints either.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

/// Prefix of the environment variables that override the file (`SFDESK__SECTION__KEY`).
pub const ENV_PREFIX: &str = "SFDESK__";

/// Everything the server needs to start, parsed into strong types.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HTTP listener and public address.
    pub server: ServerConfig,
    /// Where the server keeps its state.
    pub database: DatabaseConfig,
    /// Keys protecting secrets at rest.
    pub security: SecurityConfig,
    /// Logging.
    pub telemetry: TelemetryConfig,
    /// Our Salesforce connected app.
    pub salesforce: SalesforceAppConfig,
    /// Our Zoho Desk OAuth client.
    pub desk: DeskAppConfig,
    /// The sidebar's profile cache.
    pub profile: ProfileConfig,
    /// Agent sessions of the widget.
    pub session: SessionConfig,
}

/// HTTP listener settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The URL agents' browsers reach this server at (widget pages, OAuth callbacks).
    pub public_url: Url,
    /// Largest request body accepted, in bytes; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Origins allowed to frame the widget pages (CSP `frame-ancestors`): `'self'` and Zoho Desk
    /// in every data centre by default; narrow it to your portal's origin.
    pub frame_ancestors: Vec<FrameAncestor>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: Url::parse("http://localhost:8080/").expect("static URL parses"),
            max_body_bytes: 1024 * 1024,
            frame_ancestors: DESK_FRAME_ANCESTORS
                .iter()
                .map(|s| FrameAncestor((*s).to_owned()))
                .collect(),
        }
    }
}

/// `'self'` and Zoho Desk's origins in every data centre.
const DESK_FRAME_ANCESTORS: [&str; 9] = [
    "'self'",
    "https://*.zoho.com",
    "https://*.zoho.eu",
    "https://*.zoho.in",
    "https://*.zoho.com.au",
    "https://*.zoho.jp",
    "https://*.zoho.com.cn",
    "https://*.zohocloud.ca",
    "https://*.zoho.sa",
];

/// One CSP `frame-ancestors` source: `'self'` or an `http(s)://host[:port]` origin (a leading
/// `*.` wildcard allowed). Anything else — paths, spaces, `;` — is refused at load, so a
/// configuration value can never inject another CSP directive.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct FrameAncestor(String);

impl FrameAncestor {
    /// The source text as it goes into the policy.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FrameAncestor {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let host = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        let valid = value == "'self'"
            || host.is_some_and(|host| {
                let host = host.strip_prefix("*.").unwrap_or(host);
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            });
        if valid {
            Ok(Self(value))
        } else {
            Err(format!(
                "{value:?} is not a frame ancestor: use 'self' or an origin such as https://*.zoho.eu"
            ))
        }
    }
}

/// Storage settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path.db` (embedded, single instance) or `postgres://…` (several replicas).
    pub url: DatabaseUrl,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: DatabaseUrl(SecretString::from("sqlite://sfdesk.db")),
        }
    }
}

/// A database URL. It may carry a password, so `Debug` and `Display` mask it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// Wraps a URL given in code (tests, the demo).
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    /// The full URL, password included: only for opening the connection.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL scheme (`sqlite`, `postgres`, …), if the text has one.
    pub fn scheme(&self) -> Option<&str> {
        self.expose().split_once(':').map(|(scheme, _)| scheme)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Url::parse(self.expose()) {
            Ok(mut url) if url.password().is_some() => {
                // Setting a password only fails for URLs that cannot have one.
                let _ = url.set_password(Some("********"));
                write!(f, "{url}")
            }
            _ => f.write_str(self.expose()),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Secrets protection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Base64 of 32 random bytes; encrypts stored credentials. `sfdesk keygen` makes one.
    pub encryption_key: Option<SecretString>,
}

/// Our Salesforce connected app (the org an installation connects to comes from its row).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SalesforceAppConfig {
    /// Where admins sign in to connect an org: `https://login.salesforce.com/`, or
    /// `https://test.salesforce.com/` for sandboxes.
    pub login_url: Url,
    /// The connected app's consumer key.
    pub client_id: String,
    /// The connected app's consumer secret.
    pub client_secret: Option<SecretString>,
    /// The pinned REST API version, e.g. `66.0`.
    pub api_version: String,
}

impl Default for SalesforceAppConfig {
    fn default() -> Self {
        Self {
            login_url: Url::parse("https://login.salesforce.com/").expect("static URL parses"),
            client_id: String::new(),
            client_secret: None,
            api_version: "66.0".to_owned(),
        }
    }
}

/// Our Zoho Desk OAuth client (registered at Zoho's API console with the redirect URI
/// `<server.public_url>auth/desk/callback`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskAppConfig {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Option<SecretString>,
    /// Overrides the Desk API host of every installation's data centre (simulators, tests).
    pub api_url: Option<Url>,
    /// Overrides the Zoho accounts host of every installation's data centre (simulators, tests).
    pub accounts_url: Option<Url>,
}

/// The sidebar's profile cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileConfig {
    /// How long a profile read from Salesforce is served from memory, in seconds (`0` disables
    /// the cache).
    pub cache_ttl_secs: u64,
    /// How many profiles the cache holds at most.
    pub cache_capacity: u64,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        Self {
            cache_ttl_secs: 60,
            cache_capacity: 10_000,
        }
    }
}

/// Agent sessions of the widget.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Lifetime of a session token, in seconds. A role changed in Desk applies at the next
    /// refresh, so this bounds how long an old role lingers.
    pub ttl_secs: u64,
    /// How long after sign-in a session may still be refreshed without signing in again.
    pub max_age_secs: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            ttl_secs: 300,
            max_age_secs: 12 * 3600,
        }
    }
}

/// Logging settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    /// `pretty` for humans, `json` for log collectors.
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `sfdesk_server=debug,info`; `RUST_LOG` wins if set.
    pub log_filter: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            log_format: LogFormat::Pretty,
            log_filter: "info".to_owned(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, one line per event.
    Pretty,
    /// One JSON object per event.
    Json,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file given with `--config` does not exist.
    #[error("config file {0} does not exist")]
    MissingFile(String),
    /// A key is unknown, has the wrong type or an invalid value (the message names the key).
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// A value that this command needs is not set.
    #[error("{key} is not set: {hint}")]
    Missing {
        /// Dotted name of the missing key.
        key: &'static str,
        /// How to provide it.
        hint: &'static str,
    },
}

impl Config {
    /// Loads defaults, then `file` (if given), then the process environment.
    ///
    /// # Errors
    /// [`ConfigError::MissingFile`] when `file` does not exist; [`ConfigError::Invalid`] naming
    /// the offending key when a value has the wrong type or a key is unknown.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, Env::prefixed(ENV_PREFIX).split("__"))
    }

    /// Like [`Config::load`], with the environment layer supplied by the caller (tests).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn load_from(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::MissingFile(path.display().to_string()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(env)
            .extract()
            .map_err(|e| ConfigError::Invalid(describe_figment_error(&e)))
    }

    /// The encryption key, required by every command that touches stored credentials.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] when no key is configured.
    pub fn encryption_key(&self) -> Result<&SecretString, ConfigError> {
        self.security
            .encryption_key
            .as_ref()
            .ok_or(ConfigError::Missing {
                key: "security.encryption_key",
                hint: "set it in the config file or SFDESK__SECURITY__ENCRYPTION_KEY \
                       (`sfdesk keygen` prints a new one)",
            })
    }
}

/// One line per figment error, each naming the key (`database.url: invalid type …`).
fn describe_figment_error(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let message = single_line(&e.kind.to_string());
            let source = e
                .metadata
                .as_ref()
                .map(|m| format!(" (from {})", m.name))
                .unwrap_or_default();
            if key.is_empty() {
                format!("{message}{source}")
            } else {
                format!("{key}: {message}{source}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Folds a multi-line parser message (TOML errors quote the offending line and draw a caret
/// under it) into one line: the quoted snippet is dropped, the prose kept.
fn single_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| {
            let snippet = line
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start();
            !line.is_empty() && !snippet.starts_with('|')
        })
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
// `figment::Jail` closures return figment's own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in_jail(jail: &mut Jail, toml: Option<&str>) -> Result<Config, ConfigError> {
        let file = toml.map(|text| {
            jail.create_file("sfdesk.toml", text).expect("write config");
            Path::new("sfdesk.toml")
        });
        Config::load(file)
    }

    #[test]
    fn defaults_apply_without_file_or_env() {
        Jail::expect_with(|jail| {
            let config = load_in_jail(jail, None).expect("defaults load");
            assert_eq!(config.database.url.expose(), "sqlite://sfdesk.db");
            assert_eq!(config.server.listen.port(), 8080);
            assert!(config.security.encryption_key.is_none());
            Ok(())
        });
    }

    #[test]
    fn env_overrides_file() {
        Jail::expect_with(|jail| {
            jail.set_env("SFDESK__DATABASE__URL", "postgres://u:p@db/x");
            let config = load_in_jail(
                jail,
                Some(
                    "[database]\nurl = \"sqlite://file.db\"\n[server]\nlisten = \"0.0.0.0:9000\"\n",
                ),
            )
            .expect("loads");
            assert_eq!(config.database.url.expose(), "postgres://u:p@db/x");
            assert_eq!(config.server.listen.port(), 9000);
            Ok(())
        });
    }

    #[test]
    fn unknown_key_is_named() {
        Jail::expect_with(|jail| {
            let err = load_in_jail(jail, Some("[database]\nurll = \"x\"\n")).expect_err("fails");
            let text = err.to_string();
            assert!(text.contains("database"), "{text}");
            assert!(text.contains("urll"), "{text}");
            Ok(())
        });
    }

    #[test]
    fn bad_value_names_the_key() {
        Jail::expect_with(|jail| {
            jail.set_env("SFDESK__SERVER__LISTEN", "not-an-address");
            let err = load_in_jail(jail, None).expect_err("fails");
            assert!(err.to_string().contains("server.listen"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn frame_ancestors_must_be_origins() {
        Jail::expect_with(|jail| {
            let config = load_in_jail(
                jail,
                Some("[server]\nframe_ancestors = [\"'self'\", \"https://acme.zohodesk.eu\"]\n"),
            )
            .expect("origins load");
            let sources: Vec<_> = config
                .server
                .frame_ancestors
                .iter()
                .map(FrameAncestor::as_str)
                .collect();
            assert_eq!(sources, ["'self'", "https://acme.zohodesk.eu"]);

            let err = load_in_jail(
                jail,
                Some("[server]\nframe_ancestors = [\"https://x.com; script-src *\"]\n"),
            )
            .expect_err("injection refused");
            assert!(err.to_string().contains("server.frame_ancestors"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn malformed_toml_fails() {
        Jail::expect_with(|jail| {
            let err = load_in_jail(jail, Some("[database\nurl=")).expect_err("fails");
            assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
            let text = err.to_string();
            assert_eq!(text.lines().count(), 1, "{text}");
            assert!(text.contains("line 1"), "{text}");
            Ok(())
        });
    }

    #[test]
    fn missing_file_is_reported() {
        let err = Config::load(Some(Path::new("/nonexistent/sfdesk.toml"))).expect_err("fails");
        assert!(err.to_string().contains("/nonexistent/sfdesk.toml"));
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        Jail::expect_with(|jail| {
            jail.set_env(
                "SFDESK__SECURITY__ENCRYPTION_KEY",
                "c2VjcmV0LWtleS1ieXRlcw==",
            );
            jail.set_env(
                "SFDESK__DATABASE__URL",
                "postgres://app:hunter2@db:5432/sfdesk",
            );
            let config = load_in_jail(jail, None).expect("loads");
            let debug = format!("{config:?}");
            assert!(!debug.contains("hunter2"), "{debug}");
            assert!(!debug.contains("c2VjcmV0LWtleS1ieXRlcw=="), "{debug}");
            assert!(debug.contains("db:5432"), "host stays visible: {debug}");
            Ok(())
        });
    }

    #[test]
    fn missing_encryption_key_names_the_key() {
        let err = Config::default().encryption_key().expect_err("no key");
        assert!(err.to_string().contains("security.encryption_key"));
    }
}
