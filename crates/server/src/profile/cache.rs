//! The profile service's in-memory caches (moka, one TTL: `profile.cache_ttl_secs`; `0` turns
//! every one of them off).
//!
//! - views: (installation, target, role id) → the answer's JSON bytes, its strong ETag and the
//!   Salesforce ids it shows. A cached view is served without any Desk or Salesforce call and
//!   without serializing again. [`Caches::invalidate_records`] drops every view showing one of
//!   the given ids (15- and 18-character ids match); [`Caches::invalidate_installation`] drops
//!   everything of an installation.
//! - lookups: (installation, target) → how the Desk record resolved (a Salesforce id or the
//!   email/name to look up), so a cached resolution costs no Desk call.
//! - installations: id → the installation row and its profile settings.
//! - permissions: (installation, role id) → the role's document (dropped on `PUT`).

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use moka::sync::Cache;
use sfdesk_shared::permissions::{ProfileSettings, RolePermissions};
use sfdesk_shared::profile::ProfileTarget;
use sha2::{Digest, Sha256};

use crate::config::ProfileConfig;
use crate::store::{Installation, InstallationId};

use super::query::Lookup;

/// Key of a cached view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewKey {
    /// The installation.
    pub installation: InstallationId,
    /// The Desk record.
    pub target: ProfileTarget,
    /// The agent's Desk role.
    pub role_id: String,
}

/// A rendered answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The JSON body.
    pub body: Bytes,
    /// Strong ETag (quoted).
    pub etag: String,
    /// Salesforce ids shown, as their first 15 characters.
    ids: Box<[String]>,
}

impl View {
    /// A view of `body` showing `ids`.
    #[must_use]
    pub fn new(body: Vec<u8>, ids: &[String]) -> Self {
        let digest = Sha256::digest(&body);
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            etag: format!("\"{hex}\""),
            body: Bytes::from(body),
            ids: ids.iter().map(|id| id15(id).to_owned()).collect(),
        }
    }

    /// Whether the view shows one of `ids` (already cut to 15 characters).
    fn shows(&self, ids: &HashSet<String>) -> bool {
        self.ids.iter().any(|id| ids.contains(id))
    }
}

/// The case-sensitive 15-character form of a Salesforce id.
fn id15(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

/// An installation as the profile service uses it.
#[derive(Debug, Clone)]
pub struct InstallationContext {
    /// The row.
    pub installation: Installation,
    /// Its profile settings (defaults when never set).
    pub settings: ProfileSettings,
}

/// All caches; every one is `None` when the TTL is 0.
pub struct Caches {
    views: Option<Cache<ViewKey, Arc<View>>>,
    lookups: Option<Cache<(InstallationId, ProfileTarget), Option<Lookup>>>,
    installations: Option<Cache<InstallationId, Arc<InstallationContext>>>,
    permissions: Option<Cache<(InstallationId, String), RolePermissions>>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("enabled", &self.views.is_some())
            .finish_non_exhaustive()
    }
}

fn build<K, V>(config: &ProfileConfig) -> Option<Cache<K, V>>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    (config.cache_ttl_secs > 0).then(|| {
        Cache::builder()
            .max_capacity(config.cache_capacity.max(1))
            .time_to_live(Duration::from_secs(config.cache_ttl_secs))
            .support_invalidation_closures()
            .build()
    })
}

impl Caches {
    /// Caches sized and timed by `config`.
    #[must_use]
    pub fn new(config: &ProfileConfig) -> Self {
        Self {
            views: build(config),
            lookups: build(config),
            installations: build(config),
            permissions: build(config),
        }
    }

    /// A cached view.
    #[must_use]
    pub fn view(&self, key: &ViewKey) -> Option<Arc<View>> {
        self.views.as_ref()?.get(key)
    }

    /// Caches a view.
    pub fn put_view(&self, key: ViewKey, view: Arc<View>) {
        if let Some(views) = &self.views {
            views.insert(key, view);
        }
    }

    /// A cached resolution (`Some(None)`: the Desk record has nothing to look up).
    #[must_use]
    pub fn lookup(
        &self,
        installation: InstallationId,
        target: &ProfileTarget,
    ) -> Option<Option<Lookup>> {
        self.lookups.as_ref()?.get(&(installation, target.clone()))
    }

    /// Caches a resolution.
    pub fn put_lookup(
        &self,
        installation: InstallationId,
        target: ProfileTarget,
        lookup: Option<Lookup>,
    ) {
        if let Some(lookups) = &self.lookups {
            lookups.insert((installation, target), lookup);
        }
    }

    /// A cached installation.
    #[must_use]
    pub fn installation(&self, id: InstallationId) -> Option<Arc<InstallationContext>> {
        self.installations.as_ref()?.get(&id)
    }

    /// Caches an installation.
    pub fn put_installation(&self, context: Arc<InstallationContext>) {
        if let Some(installations) = &self.installations {
            installations.insert(context.installation.id, context);
        }
    }

    /// Cached permissions of a role.
    #[must_use]
    pub fn permissions(&self, id: InstallationId, role_id: &str) -> Option<RolePermissions> {
        self.permissions.as_ref()?.get(&(id, role_id.to_owned()))
    }

    /// Caches a role's permissions.
    pub fn put_permissions(&self, id: InstallationId, role_id: &str, value: RolePermissions) {
        if let Some(permissions) = &self.permissions {
            permissions.insert((id, role_id.to_owned()), value);
        }
    }

    /// Drops every view of `installation` that shows one of `ids`.
    pub fn invalidate_records(&self, installation: InstallationId, ids: &[String]) {
        let Some(views) = &self.views else { return };
        let ids: HashSet<String> = ids.iter().map(|id| id15(id).to_owned()).collect();
        if ids.is_empty() {
            return;
        }
        // Only fails when closures are not enabled, which `build` always does.
        let _ = views.invalidate_entries_if(move |key, view| {
            key.installation == installation && view.shows(&ids)
        });
    }

    /// Drops the views of one Desk record (every role).
    pub fn invalidate_target(&self, installation: InstallationId, target: &ProfileTarget) {
        if let Some(views) = &self.views {
            let target = target.clone();
            let _ = views.invalidate_entries_if(move |key, _| {
                key.installation == installation && key.target == target
            });
        }
        if let Some(lookups) = &self.lookups {
            lookups.invalidate(&(installation, target.clone()));
        }
    }

    /// Drops the views of `installation` that show no record ("not found" answers).
    pub fn invalidate_without_records(&self, installation: InstallationId) {
        if let Some(views) = &self.views {
            let _ = views.invalidate_entries_if(move |key, view| {
                key.installation == installation && view.ids.is_empty()
            });
        }
    }

    /// Drops everything cached for `installation` (views, resolutions, the row, permissions).
    pub fn invalidate_installation(&self, installation: InstallationId) {
        if let Some(views) = &self.views {
            let _ = views.invalidate_entries_if(move |key, _| key.installation == installation);
        }
        if let Some(lookups) = &self.lookups {
            let _ = lookups.invalidate_entries_if(move |key, _| key.0 == installation);
        }
        if let Some(permissions) = &self.permissions {
            let _ = permissions.invalidate_entries_if(move |key, _| key.0 == installation);
        }
        if let Some(installations) = &self.installations {
            installations.invalidate(&installation);
        }
    }

    /// Drops a role's cached permissions and the views rendered under them.
    pub fn invalidate_role(&self, installation: InstallationId, role_id: &str) {
        if let Some(permissions) = &self.permissions {
            permissions.invalidate(&(installation, role_id.to_owned()));
        }
        if let Some(views) = &self.views {
            let role_id = role_id.to_owned();
            let _ = views.invalidate_entries_if(move |key, _| {
                key.installation == installation && key.role_id == role_id
            });
        }
    }

    /// Drops the cached installation row and settings, and the views rendered with them.
    pub fn invalidate_settings(&self, installation: InstallationId) {
        if let Some(installations) = &self.installations {
            installations.invalidate(&installation);
        }
        if let Some(views) = &self.views {
            let _ = views.invalidate_entries_if(move |key, _| key.installation == installation);
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn key(installation: InstallationId, ticket: &str, role: &str) -> ViewKey {
        ViewKey {
            installation,
            target: ProfileTarget::TicketId(ticket.into()),
            role_id: role.into(),
        }
    }

    fn caches(ttl: u64) -> Caches {
        Caches::new(&ProfileConfig {
            cache_ttl_secs: ttl,
            cache_capacity: 100,
        })
    }

    #[test]
    fn etags_are_strong_and_follow_the_bytes() {
        let a = View::new(b"{\"a\":1}".to_vec(), &[]);
        let b = View::new(b"{\"a\":2}".to_vec(), &[]);
        assert!(a.etag.starts_with('"') && a.etag.ends_with('"') && a.etag.len() == 34);
        assert_ne!(a.etag, b.etag);
        assert_eq!(a.etag, View::new(b"{\"a\":1}".to_vec(), &[]).etag);
    }

    #[test]
    fn invalidation_by_record_and_installation() {
        let c = caches(60);
        let one = InstallationId(Uuid::now_v7());
        let two = InstallationId(Uuid::now_v7());
        let shows = |id: &str| Arc::new(View::new(b"{}".to_vec(), &[id.to_owned()]));
        c.put_view(key(one, "1", "r"), shows("003000000000001AAA"));
        c.put_view(key(one, "2", "r"), shows("003000000000002AAA"));
        c.put_view(key(two, "1", "r"), shows("003000000000001AAA"));
        // A 15-character id matches the 18-character one.
        c.invalidate_records(one, &["003000000000001".to_owned()]);
        assert!(c.view(&key(one, "1", "r")).is_none());
        assert!(c.view(&key(one, "2", "r")).is_some());
        assert!(
            c.view(&key(two, "1", "r")).is_some(),
            "other installation kept"
        );
        c.invalidate_installation(one);
        assert!(c.view(&key(one, "2", "r")).is_none());
        assert!(c.view(&key(two, "1", "r")).is_some());
        c.invalidate_role(two, "r");
        assert!(c.view(&key(two, "1", "r")).is_none());
    }

    #[test]
    fn ttl_zero_caches_nothing() {
        let c = caches(0);
        let id = InstallationId(Uuid::now_v7());
        c.put_view(key(id, "1", "r"), Arc::new(View::new(Vec::new(), &[])));
        assert!(c.view(&key(id, "1", "r")).is_none());
        c.put_permissions(id, "r", RolePermissions::default());
        assert!(c.permissions(id, "r").is_none());
    }
}
