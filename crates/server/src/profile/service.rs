//! [`ProfileService`]: one profile view, from the agent's session to the cached JSON bytes.
//!
//! Order of a view: installation (must exist and be active) → the role's permissions → the
//! [`plan`] (hidden: answered at once, no Desk or Salesforce call) → the view cache (unless
//! `refresh`) → the Desk resolution (cached too) → one composite call → parse, serialize once,
//! cache with its ETag and the ids it shows.

use std::sync::Arc;

use chrono::{SecondsFormat, Utc};
use sfdesk_shared::permissions::{ProfileSettings, RolePermissions};
use sfdesk_shared::profile::{NotFound, ProfileResponse, ProfileTarget};

use crate::api::error::AppError;
use crate::config::ProfileConfig;
use crate::connections::Connections;
use crate::salesforce::{HttpSalesforce, SalesforceApi};
use crate::session::SessionClaims;
use crate::store::{InstallationId, InstallationStatus, Store, StoreError};

use super::cache::{Caches, InstallationContext, View, ViewKey};
use super::errors;
use super::links::RecordLinks;
use super::parse::{self, HighlightField};
use super::plan::{Page, Plan, Subject, plan};
use super::query::{self, Lookup};
use super::resolve::resolve;

/// The settings key of [`ProfileSettings`].
pub const SETTINGS_KEY: &str = "profile";

/// Builds, caches and invalidates sidebar profiles. Held in `AppState::profiles`.
pub struct ProfileService {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) connections: Arc<Connections>,
    pub(crate) caches: Caches,
    hidden: Arc<View>,
}

impl std::fmt::Debug for ProfileService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileService")
            .field("caches", &self.caches)
            .finish_non_exhaustive()
    }
}

impl ProfileService {
    /// A service over `store` and `connections`, caching as `config` says.
    #[must_use]
    pub fn new(
        config: &ProfileConfig,
        store: Arc<dyn Store>,
        connections: Arc<Connections>,
    ) -> Self {
        // Serializing a unit variant cannot fail.
        let hidden = serde_json::to_vec(&ProfileResponse::Hidden).unwrap_or_default();
        Self {
            store,
            connections,
            caches: Caches::new(config),
            hidden: Arc::new(View::new(hidden, &[])),
        }
    }

    /// Drops every cached view of `installation` that shows one of the Salesforce records `ids`
    /// (the sync engine calls this when it writes or sees a change to them).
    pub fn invalidate_records(&self, installation: InstallationId, ids: &[String]) {
        self.caches.invalidate_records(installation, ids);
    }

    /// Drops everything cached for `installation` (its deletion, pause, reconnection).
    pub fn invalidate_installation(&self, installation: InstallationId) {
        self.caches.invalidate_installation(installation);
    }

    /// The installation with its settings; `404` once deleted.
    pub(crate) async fn installation(
        &self,
        id: InstallationId,
    ) -> Result<Arc<InstallationContext>, AppError> {
        if let Some(context) = self.caches.installation(id) {
            return Ok(context);
        }
        let installation = self.store.get_installation(id).await?.ok_or_else(|| {
            AppError::NotFound(
                "this sfdesk installation no longer exists (the integration was deleted), so \
                 no Salesforce data is shown"
                    .into(),
            )
        })?;
        let settings = match self.store.get_setting(id, SETTINGS_KEY).await? {
            Some(value) => serde_json::from_value(value).map_err(|source| {
                AppError::Store(StoreError::InvalidJson {
                    column: "settings.profile",
                    source,
                })
            })?,
            None => ProfileSettings::default(),
        };
        let context = Arc::new(InstallationContext {
            installation,
            settings,
        });
        self.caches.put_installation(Arc::clone(&context));
        Ok(context)
    }

    /// The installation, which must be active to show Salesforce data.
    pub(crate) async fn active_installation(
        &self,
        id: InstallationId,
    ) -> Result<Arc<InstallationContext>, AppError> {
        let context = self.installation(id).await?;
        match context.installation.status {
            InstallationStatus::Active => Ok(context),
            InstallationStatus::Paused => Err(AppError::NotConnected(
                "the integration is paused: no Salesforce data is shown until an administrator \
                 resumes it"
                    .into(),
            )),
            InstallationStatus::Pending => Err(AppError::NotConnected(
                "the integration is not active yet: an administrator must finish connecting it"
                    .into(),
            )),
        }
    }

    /// The stored permissions of a role, or the defaults; a stored document that does not
    /// parse is an error (never silently widened to the defaults).
    pub(crate) async fn permissions(
        &self,
        installation: InstallationId,
        role_id: &str,
    ) -> Result<RolePermissions, AppError> {
        if let Some(cached) = self.caches.permissions(installation, role_id) {
            return Ok(cached);
        }
        let permissions = self
            .stored_permissions(installation, role_id)
            .await?
            .unwrap_or_default();
        self.caches
            .put_permissions(installation, role_id, permissions);
        Ok(permissions)
    }

    /// The stored document of a role, parsed (`None` when never set).
    pub(crate) async fn stored_permissions(
        &self,
        installation: InstallationId,
        role_id: &str,
    ) -> Result<Option<RolePermissions>, AppError> {
        match self
            .store
            .get_role_permissions(installation, role_id)
            .await?
        {
            Some(value) => serde_json::from_value(value).map(Some).map_err(|source| {
                AppError::Store(StoreError::InvalidJson {
                    column: "role_permissions.permissions",
                    source,
                })
            }),
            None => Ok(None),
        }
    }

    /// The profile of `target` for the agent of `claims`: the cached view unless `refresh`.
    ///
    /// # Errors
    /// `404`/`403` for a deleted or inactive installation or an unknown Desk record, `502`/`503`
    /// for Desk or Salesforce failures.
    pub async fn view(
        &self,
        claims: &SessionClaims,
        target: ProfileTarget,
        refresh: bool,
    ) -> Result<Arc<View>, AppError> {
        let installation_id = claims.installation_id;
        let context = self.active_installation(installation_id).await?;
        let permissions = self.permissions(installation_id, &claims.role_id).await?;
        let Some(plan) = plan(&permissions, Page::of(&target)) else {
            return Ok(Arc::clone(&self.hidden));
        };
        let key = ViewKey {
            installation: installation_id,
            target,
            role_id: claims.role_id.clone(),
        };
        if !refresh && let Some(view) = self.caches.view(&key) {
            return Ok(view);
        }
        let view = Arc::new(
            self.render(&context, &permissions, &plan, &key.target, refresh)
                .await?,
        );
        self.caches.put_view(key, Arc::clone(&view));
        Ok(view)
    }

    /// How the Desk record resolves (cached unless `refresh`).
    pub(crate) async fn lookup(
        &self,
        context: &InstallationContext,
        target: &ProfileTarget,
        refresh: bool,
    ) -> Result<Option<Lookup>, AppError> {
        let installation = &context.installation;
        if !refresh && let Some(cached) = self.caches.lookup(installation.id, target) {
            return Ok(cached);
        }
        let desk = self
            .connections
            .desk(installation)
            .map_err(errors::connection)?;
        let lookup = resolve(self.store.as_ref(), desk.as_ref(), installation, target).await?;
        self.caches
            .put_lookup(installation.id, target.clone(), lookup.clone());
        Ok(lookup)
    }

    /// The installation's Salesforce client.
    pub(crate) fn salesforce(
        &self,
        context: &InstallationContext,
    ) -> Result<Arc<HttpSalesforce>, AppError> {
        self.connections
            .salesforce(&context.installation)
            .map_err(errors::connection)
    }

    async fn render(
        &self,
        context: &InstallationContext,
        permissions: &RolePermissions,
        plan: &Plan,
        target: &ProfileTarget,
        refresh: bool,
    ) -> Result<View, AppError> {
        let fetched_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let on_ticket = matches!(target, ProfileTarget::TicketId(_));
        let not_found = |looked_up: Option<&str>| {
            let creatable =
                permissions.create_in_salesforce && plan.subject != Subject::AccountOfContact;
            ProfileResponse::NotFound(NotFound {
                fetched_at: fetched_at.clone(),
                looked_up: looked_up.map(str::to_owned),
                object: plan.subject.object().to_owned(),
                can_create: creatable,
                can_log_ticket: on_ticket && permissions.log_ticket_as_task && creatable,
            })
        };
        let Some(lookup) = self.lookup(context, target, refresh).await? else {
            return encode(&not_found(None), &[]);
        };
        let salesforce = self.salesforce(context)?;
        let highlight = if plan.account_info.allows() {
            highlight(salesforce.as_ref(), &context.settings).await?
        } else {
            None
        };
        let request = query::composite(
            plan,
            &lookup,
            highlight.as_ref().map(|h| h.name.as_str()),
            &salesforce.settings().api_version,
        )
        .map_err(errors::salesforce)?;
        let response = salesforce
            .composite(&request)
            .await
            .map_err(errors::salesforce)?;
        let links = RecordLinks::new(&salesforce.settings().instance_url);
        let ctx = parse::Context {
            plan,
            links: &links,
            highlight: highlight.as_ref(),
            now: Utc::now(),
            fetched_at: &fetched_at,
            can_log_ticket: on_ticket && permissions.log_ticket_as_task,
        };
        match parse::profile(&ctx, &response).map_err(errors::salesforce)? {
            Some(found) => encode(&ProfileResponse::Found(Box::new(found.profile)), &found.ids),
            None => encode(&not_found(lookup.looked_up()), &[]),
        }
    }
}

/// The answer as bytes with its ETag.
fn encode(response: &ProfileResponse, ids: &[String]) -> Result<View, AppError> {
    let body = serde_json::to_vec(response)
        .map_err(|e| AppError::Upstream(format!("cannot encode the profile: {e}")))?;
    Ok(View::new(body, ids))
}

/// The admin's highlighted Account field with its label, from the client's cached describe;
/// `None` when unset or no longer on Account (a removed field must not break every view).
pub(crate) async fn highlight(
    salesforce: &HttpSalesforce,
    settings: &ProfileSettings,
) -> Result<Option<HighlightField>, AppError> {
    let Some(name) = settings.highlight_account_field.as_deref() else {
        return Ok(None);
    };
    let describe = salesforce
        .describe("Account")
        .await
        .map_err(errors::salesforce)?;
    let field = describe.field(name);
    if field.is_none() {
        tracing::warn!(
            field = name,
            "the highlighted Account field no longer exists"
        );
    }
    Ok(field.map(|f| HighlightField {
        name: f.name.clone(),
        label: f.label.clone(),
    }))
}
