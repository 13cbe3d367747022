//! The built Lambda binary answering the `events/` sample through the real lambda_http event
//! path, matching against vendors imported into DynamoDB Local.

use std::path::Path;

use lambda_runtime_stub::RuntimeApi;
use serde_json::Value;
use vendor_matching::read_vendor_file;

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-initialize");
const EVENT: &[u8] = include_bytes!("../../../../../events/rossum-annotation-initialize.json");
const DEVELOPMENT_SECRET: &str = "rossum-development-secret";

async fn invoke(api: &RuntimeApi, event: &[u8]) -> (u16, Value, Value) {
    let response = api.invoke_http(event).await;
    (response.status, response.body, response.headers)
}

fn dynamodb_endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT").expect(
        "DYNAMODB_ENDPOINT is not set: run ./scripts/test, or export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_matches_the_sample_against_dynamodb() {
    let endpoint = dynamodb_endpoint();
    let table = format!("initialize-binary-{}", std::process::id());
    let client = dynamodb_store::connect(Some(&endpoint)).await;
    dynamodb_store::create_master_data_table(&client, &table)
        .await
        .unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/master-data/vendors.csv");
    let vendors: Vec<_> = read_vendor_file(&sample)
        .unwrap()
        .vendors
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    dynamodb_store::import_vendors(&client, &table, &vendors, &mut |_| {})
        .await
        .unwrap();

    let api = RuntimeApi::start().await.unwrap();
    let _process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-annotation-initialize",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("VENDOR_TABLE", &table),
                ("DYNAMODB_ENDPOINT", &endpoint),
            ],
        )
        .unwrap();
    let (status, body, _) = invoke(&api, EVENT).await;
    assert_eq!(status, 200, "{body}");
    let vendor = body["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["id"] == 6600015)
        .expect("the vendor datapoint is filled");
    assert_eq!(vendor["value"]["content"]["value"], "V-10027");
    assert_eq!(
        vendor["value"]["options"][0]["label"],
        "Northwind Consulting B.V., Amsterdam (V-10027)"
    );
    assert!(body.get("automation_blockers").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_master_data_the_binary_answers_503_so_rossum_retries() {
    let api = RuntimeApi::start().await.unwrap();
    let _process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-annotation-initialize",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("DYNAMODB_ENDPOINT", "http://127.0.0.1:1"),
                ("VENDOR_TABLE", "vendors"),
            ],
        )
        .unwrap();
    let (status, body, headers) = invoke(&api, EVENT).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    assert_eq!(headers["retry-after"], "5");
}
