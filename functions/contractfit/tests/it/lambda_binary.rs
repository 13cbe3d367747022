//! Each built Lambda binary, started as Lambda starts it, answering its sample payload
//! wrapped in an API Gateway HTTP API (v2) event with `Authorization: Bearer <token>`.

/// The checks every contract.fit binary must pass, each a test of the module this is
/// expanded in, for `$function`.
macro_rules! binary_checks {
    ($function:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn with_its_table_the_binary_stores_the_delivery_once() {
            crate::common::checks::binary_stores_once_in_dynamodb(&$function).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn without_a_records_table_deliveries_are_refused_with_503() {
            crate::common::checks::binary_without_a_table_answers_503(&$function).await;
        }
    };
}

mod text {
    binary_checks!(crate::common::TEXT);
}

mod split {
    binary_checks!(crate::common::SPLIT);
}

mod predict {
    binary_checks!(crate::common::PREDICT);
}

mod evaluate {
    binary_checks!(crate::common::EVALUATE);
}

mod delete {
    binary_checks!(crate::common::DELETE);
}
