//! Compiled settings kept across the deliveries a warm function answers: a hook sends the same
//! settings with every delivery, and parsing its rules (and building their regexes) costs more
//! than evaluating them.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::config::{RulesError, RulesSettings};

/// How many distinct settings are kept (a function serves one or a few hooks).
pub const CACHED_SETTINGS: usize = 8;

/// The `checks` and `variables` a compilation was made from, and what it gave.
struct Entry {
    checks: Value,
    variables: Option<Value>,
    compiled: Arc<RulesSettings>,
}

static COMPILED: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

impl RulesSettings {
    /// [`RulesSettings::from_hook_settings`], answered from the last [`CACHED_SETTINGS`]
    /// distinct settings when their `checks` and `variables` are equal to these (compared as
    /// JSON values, not by a hash, so two settings never share a compilation by accident).
    /// Refusals are not kept.
    pub fn cached_from_hook_settings(
        settings: &Value,
    ) -> Result<Option<Arc<RulesSettings>>, RulesError> {
        let Some(checks) = settings.get("checks") else {
            return Ok(None);
        };
        let variables = settings.get("variables");
        {
            let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(at) = cache
                .iter()
                .position(|e| e.checks == *checks && e.variables.as_ref() == variables)
            {
                let entry = cache.remove(at);
                let compiled = entry.compiled.clone();
                // Most recently used first.
                cache.insert(0, entry);
                return Ok(Some(compiled));
            }
        }
        let Some(compiled) = Self::from_hook_settings(settings)? else {
            return Ok(None);
        };
        let compiled = Arc::new(compiled);
        let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(
            0,
            Entry {
                checks: checks.clone(),
                variables: variables.cloned(),
                compiled: compiled.clone(),
            },
        );
        cache.truncate(CACHED_SETTINGS);
        Ok(Some(compiled))
    }
}
