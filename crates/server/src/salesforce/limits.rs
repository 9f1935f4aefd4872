//! Reading `Sforce-Limit-Info` (`api-usage=18/15000`, maybe with `; per-app-api-usage=…` or
//! `api-bursts=…` parts) leniently: unknown parts are ignored, a malformed header gives `None`.

/// The org's API usage as the service reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    /// Calls in the rolling 24 h window.
    pub used: u64,
    /// The org's daily allowance.
    pub max: u64,
}

/// Parses the `api-usage=n/max` part of a `Sforce-Limit-Info` value.
#[must_use]
pub fn parse_limit_info(header: &str) -> Option<ApiUsage> {
    header.split([';', ',']).find_map(|part| {
        let (key, value) = part.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("api-usage") {
            return None;
        }
        let (used, max) = value.trim().split_once('/')?;
        Some(ApiUsage {
            used: used.trim().parse().ok()?,
            max: max.trim().parse().ok()?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_leniently() {
        let usage = |used, max| Some(ApiUsage { used, max });
        assert_eq!(parse_limit_info("api-usage=18/15000"), usage(18, 15000));
        assert_eq!(
            parse_limit_info("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-app)"),
            usage(25, 5000)
        );
        assert_eq!(
            parse_limit_info("api-bursts=1/10; API-Usage = 7 / 100"),
            usage(7, 100)
        );
        assert_eq!(parse_limit_info("per-app-api-usage=17/250"), None);
        assert_eq!(parse_limit_info("api-usage=x/100"), None);
        assert_eq!(parse_limit_info(""), None);
    }
}
