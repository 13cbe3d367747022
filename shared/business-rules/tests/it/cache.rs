//! Settings compiled once and reused by later deliveries with the same checks.

use std::sync::Arc;

use business_rules::{CACHED_SETTINGS, RulesSettings};
use serde_json::json;

fn settings(rule: &str) -> serde_json::Value {
    json!({"checks": [{"rule": rule, "message": "Wrong."}], "other_key": 1})
}

#[test]
fn the_same_checks_share_one_compilation_and_other_checks_do_not() {
    let first = RulesSettings::cached_from_hook_settings(&settings("{cache_a} > 0"))
        .unwrap()
        .unwrap();
    let again = RulesSettings::cached_from_hook_settings(&settings("{cache_a} > 0"))
        .unwrap()
        .unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    let other = RulesSettings::cached_from_hook_settings(&settings("{cache_a} > 1"))
        .unwrap()
        .unwrap();
    assert!(!Arc::ptr_eq(&first, &other));
    let rule = other.checks[0].expressions().next().unwrap();
    assert_eq!(rule.text(), "{cache_a} > 1", "the other checks' own rule");
}

#[test]
fn variables_are_part_of_what_is_compared() {
    let mut with_variables = settings("{cache_b} > 0");
    with_variables["variables"] = json!({"limit": 5});
    let plain = RulesSettings::cached_from_hook_settings(&settings("{cache_b} > 0"))
        .unwrap()
        .unwrap();
    let varied = RulesSettings::cached_from_hook_settings(&with_variables)
        .unwrap()
        .unwrap();
    assert!(!Arc::ptr_eq(&plain, &varied));
    assert!(plain.warnings.is_empty());
    assert_eq!(varied.warnings.len(), 1, "{:?}", varied.warnings);
}

#[test]
fn refusals_and_settings_without_checks_are_answered_every_time() {
    for _ in 0..2 {
        let refused =
            RulesSettings::cached_from_hook_settings(&settings("{cache_c} >")).unwrap_err();
        assert!(refused.to_string().contains("checks[0]"), "{refused}");
    }
    assert!(
        RulesSettings::cached_from_hook_settings(&json!({"configurations": []}))
            .unwrap()
            .is_none()
    );
}

#[test]
fn only_the_most_recent_settings_are_kept() {
    let first = RulesSettings::cached_from_hook_settings(&settings("{cache_d} == 0"))
        .unwrap()
        .unwrap();
    // More distinct settings than are kept (other tests may add theirs meanwhile).
    for n in 0..CACHED_SETTINGS * 2 {
        RulesSettings::cached_from_hook_settings(&settings(&format!("{{cache_d}} == {}", n + 1)))
            .unwrap();
    }
    let later = RulesSettings::cached_from_hook_settings(&settings("{cache_d} == 0"))
        .unwrap()
        .unwrap();
    assert!(!Arc::ptr_eq(&first, &later), "evicted and compiled again");
}
