//! The built Lambda binary answering the `events/` sample through the real lambda_http event
//! path, matching against vendors imported into DynamoDB Local.

use vendor_matching::read_vendor_file;
use webhook_test_support::binary::start;
use webhook_test_support::{drop_table, dynamodb_endpoint, invoke};

use crate::support::{SECRET_VAR, sample_vendor_file};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-initialize");
const NAME: &str = "rossum-annotation-initialize";
const EVENT: &[u8] = include_bytes!("../../../../../events/rossum-annotation-initialize.json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_matches_the_sample_against_dynamodb() {
    let endpoint = dynamodb_endpoint();
    let client = webhook_test_support::client().await;
    let table = webhook_test_support::new_master_data_table(&client, "initialize", "binary").await;
    let vendors: Vec<_> = read_vendor_file(&sample_vendor_file())
        .unwrap()
        .vendors
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    master_data_store::import_vendors(&client, &table, &vendors, &mut |_| {})
        .await
        .unwrap();

    let env = [
        SECRET_VAR,
        ("VENDOR_TABLE", &table),
        ("DYNAMODB_ENDPOINT", &endpoint),
    ];
    let (api, _process) = start(BINARY, NAME, &env).await;
    let (status, body) = invoke(&api, EVENT).await;
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
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_master_data_the_binary_answers_503_so_rossum_retries() {
    let env = [
        SECRET_VAR,
        ("DYNAMODB_ENDPOINT", "http://127.0.0.1:1"),
        ("VENDOR_TABLE", "vendors"),
    ];
    let (api, _process) = start(BINARY, NAME, &env).await;
    let response = api.invoke_http(EVENT).await;
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(response.body["error"], "temporarily_unavailable");
    assert_eq!(response.headers["retry-after"], "5");
}
