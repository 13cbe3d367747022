//! Each built Lambda binary, started as Lambda starts it, answering its sample payload
//! wrapped in an API Gateway HTTP API (v2) event with `Authorization: Bearer <token>`.

/// The checks every contract.fit binary must pass: for each `module: FUNCTION`, a module of
/// tests of the binary of `common::FUNCTION`.
macro_rules! binary_checks {
    ($($module:ident: $function:ident),+ $(,)?) => {
        $(
            mod $module {
                crate::common::check_tests!(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    crate::common::$function => {
                        with_its_table_the_binary_stores_the_delivery_once:
                            binary_stores_once_in_dynamodb,
                        without_a_records_table_deliveries_are_refused_with_503:
                            binary_without_a_table_answers_503,
                    }
                );
            }
        )+
    };
}

binary_checks!(
    text: TEXT,
    split: SPLIT,
    predict: PREDICT,
    evaluate: EVALUATE,
    delete: DELETE,
);
