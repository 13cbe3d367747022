//! The store rules against the in-memory store (the local server's default).

use crate::common;

use common::rules::rule_tests;
use contractfit_store::{ContractFitStore, InMemoryContractFitStore};

/// Runs `rule` on a new, empty store.
async fn on_a_new_store(_label: &str, rule: impl AsyncFnOnce(&dyn ContractFitStore)) {
    rule(&InMemoryContractFitStore::new()).await;
}

rule_tests!(on_a_new_store);
