//! Describe with a per-client cache: each object is fetched once per [`HttpSalesforce`]
//! (describes change only with the org's metadata; a new client starts fresh).

use std::sync::{Arc, PoisonError};

use super::Error;
use super::client::HttpSalesforce;
use super::soql;
use super::wire::SObjectDescribe;

impl HttpSalesforce {
    pub(crate) async fn describe_cached(
        &self,
        object: &str,
    ) -> Result<Arc<SObjectDescribe>, Error> {
        let key = soql::name(object)?.to_ascii_lowercase();
        if let Some(hit) = self.cached_describe(&key) {
            return Ok(hit);
        }
        let url = self.api_url(&format!("sobjects/{object}/describe"))?;
        let describe: Arc<SObjectDescribe> = Arc::new(self.get_json(url, "describe").await?);
        self.describes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&describe));
        Ok(describe)
    }

    fn cached_describe(&self, key: &str) -> Option<Arc<SObjectDescribe>> {
        self.describes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// Forgets cached describes (after a metadata change).
    pub fn clear_describe_cache(&self) {
        self.describes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
