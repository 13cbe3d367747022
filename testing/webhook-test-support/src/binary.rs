//! A built function binary started as Lambda starts it, on a Lambda Runtime API stub of its
//! own: the stub to invoke it through and the process whose log `stop` returns.

use std::path::Path;

pub use lambda_runtime_stub::{FunctionProcess, RuntimeApi};

/// Starts `binary` (a `CARGO_BIN_EXE_*` path) as the function `function` with exactly the
/// variables `env`, on a new stub.
pub async fn start(
    binary: &str,
    function: &str,
    env: &[(&str, &str)],
) -> (RuntimeApi, FunctionProcess) {
    let api = RuntimeApi::start()
        .await
        .expect("the Runtime API stub starts");
    let process = api
        .spawn_function(Path::new(binary), function, env)
        .unwrap_or_else(|e| panic!("starting {binary}: {e}"));
    (api, process)
}

/// [`start`] with its webhook secret (the variable and its value), `table` as its records table
/// in the DynamoDB Local of [`crate::dynamodb_endpoint`], JSON logs, and the variables `more`.
pub async fn start_with_records_table(
    binary: &str,
    function: &str,
    secret: (&str, &str),
    table: &str,
    more: &[(&str, &str)],
) -> (RuntimeApi, FunctionProcess) {
    let endpoint = crate::dynamodb_endpoint();
    let mut env = vec![
        secret,
        ("RECORDS_TABLE", table),
        ("DYNAMODB_ENDPOINT", &endpoint),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ];
    env.extend_from_slice(more);
    start(binary, function, &env).await
}

/// Fails the test, naming it, if any of `private` reached `logs`.
pub fn assert_not_logged(logs: &str, private: &[&str]) {
    for private in private {
        assert!(!logs.contains(private), "{private} reached the log: {logs}");
    }
}

/// Fails the test unless `logs` say that the records table is not configured.
pub fn assert_says_records_table_missing(logs: &str) {
    assert!(
        logs.contains("RECORDS_TABLE is not set"),
        "start-up says what is missing: {logs}"
    );
}
