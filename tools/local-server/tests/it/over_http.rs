//! The `local-server` binary over real HTTP on loopback, as a user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use webhook_test_support::rossum_signature;

const BINARY: &str = env!("CARGO_BIN_EXE_local-server");
const SAMPLE: &[u8] = include_bytes!("../../../../events/payloads/rossum-annotation-updated.json");
const ROUTE: &str = "/rossum/annotation-content/updated";
/// The secret the server uses for Rossum when none is configured.
const DEVELOPMENT_SECRET: &str = "rossum-development-secret";

struct Server {
    child: Child,
    address: String,
    output: mpsc::Receiver<String>,
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .env_remove("ROSSUM_HOOK_SECRET")
            .env_remove("PORT")
            // The test command exports DynamoDB Local's endpoint; these servers use memory.
            .env_remove("DYNAMODB_ENDPOINT")
            .env_remove("VENDOR_TABLE")
            .env("RUST_LOG", "info");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, output) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        let mut seen = Vec::new();
        let address = loop {
            let line = output
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no 'listening on' line; output so far: {seen:#?}"));
            if let Some(address) = line.strip_prefix("listening on http://") {
                break address.to_owned();
            }
            seen.push(line);
        };
        // Start-up lines go back in front so tests can read them with the rest.
        let (replay, merged) = mpsc::channel();
        for line in seen {
            let _ = replay.send(line);
        }
        std::thread::spawn(move || {
            for line in output {
                if replay.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            address,
            output: merged,
        }
    }

    /// Output lines so far, waiting briefly for late ones.
    fn output_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok(line) = self.output.recv_timeout(Duration::from_millis(300)) {
            lines.push(line);
        }
        lines
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Value) {
        let stream = tokio::net::TcpStream::connect(&self.address).await.unwrap();
        let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.address);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = sender
            .send_request(
                request
                    .body(Full::new(Bytes::copy_from_slice(body)))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// POSTs `body` to the Rossum hook at [`ROUTE`], signed with `secret`.
    async fn post_signed(&self, secret: &str, body: &[u8]) -> (u16, Value) {
        let signature = rossum_signature(secret, body);
        let headers = [("x-rossum-signature-sha256", signature.as_str())];
        self.send("POST", ROUTE, &headers, body).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serves_the_rossum_hook_with_the_development_secret_and_says_so() {
    let server = Server::start(&["--port", "0"], &[]);
    let (status, body) = server.post_signed(DEVELOPMENT_SECRET, SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["operations"].as_array().map(Vec::len), Some(2));

    // The sample's signature on another body, its header named in another case.
    let sig = rossum_signature(DEVELOPMENT_SECRET, SAMPLE);
    let (status, body) = server
        .send("POST", ROUTE, &[("X-Rossum-Signature-SHA256", &sig)], b"{}")
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("signature_mismatch"))
    );

    let (status, body) = server.send("GET", ROUTE, &[], b"").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("method_not_allowed"))
    );

    let (status, body) = server.send("POST", "/nowhere", &[], b"").await;
    assert_eq!(status, 404);
    let routes = body["routes"].as_array().unwrap();
    assert!(
        routes.contains(&Value::from(ROUTE)),
        "a 404 lists what is served: {routes:?}"
    );

    let lines = server.output_lines();
    let all = lines.join("\n");
    assert!(all.contains("PUBLISHED DEVELOPMENT SECRET"), "{all}");
    let request_lines: Vec<_> = lines.iter().filter(|l| l.contains("latency_ms")).collect();
    assert_eq!(request_lines.len(), 4, "one log line per request: {all}");
    assert!(
        !all.contains(sig.trim_start_matches("sha256=")),
        "signatures are not logged"
    );
}

#[tokio::test]
async fn configured_secrets_replace_the_development_one_and_the_port_comes_from_port() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port().to_string();
    drop(probe);
    let server = Server::start(
        &[],
        &[("ROSSUM_HOOK_SECRET", "configured"), ("PORT", &port)],
    );
    assert!(server.address.ends_with(&format!(":{port}")));
    let (status, _) = server.post_signed(DEVELOPMENT_SECRET, SAMPLE).await;
    assert_eq!(status, 401);
    let (status, _) = server.post_signed("configured", SAMPLE).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let server = Server::start(&["--port=0"], &[("WEBHOOK_MAX_BODY_BYTES", "4096")]);
    let (status, body) = server.post_signed(DEVELOPMENT_SECRET, SAMPLE).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("payload_too_large"))
    );
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--port"));
    let bad = Command::new(BINARY)
        .args(["--port", "http"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--port must be a port number"));
}

/// The sample datasets load with their indexes, one start-up line each.
#[tokio::test]
async fn the_sample_datasets_load_with_one_line_each() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/master-data");
    let server = Server::start(
        &[
            "--port=0",
            &format!("--dataset=purchase_orders={root}/purchase_orders.json"),
            &format!("--dataset=purchase_order_lines={root}/purchase_order_lines.csv"),
            &format!("--dataset=products={root}/products.jsonl"),
            "--index=purchase_orders.po_number",
            "--index=purchase_orders.vendor.id",
            "--index=purchase_order_lines.po_number+description",
            "--index=products.code",
            "--fuzzy-index=products.name",
        ],
        &[],
    );
    let lines = server.output_lines().join("\n");
    for expected in [
        "dataset purchase_orders: 8 records from ",
        "indexes po_number, vendor.id; fuzzy none; rejected 0",
        "dataset purchase_order_lines: 12 records from ",
        "indexes description+po_number; fuzzy none; rejected 0",
        "dataset products: 11 records from ",
        "indexes code; fuzzy name; rejected 0",
    ] {
        assert!(lines.contains(expected), "{expected:?} in {lines}");
    }
}

#[test]
fn a_dataset_flag_that_names_no_dataset_is_a_usage_error() {
    let bad = Command::new(BINARY)
        .env_remove("DYNAMODB_ENDPOINT")
        .env_remove("VENDOR_TABLE")
        .args(["--dataset", "orders=o.json", "--index", "order.po_number"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("names dataset \"order\", which no --dataset gives"),
        "{stderr}"
    );
    let missing = Command::new(BINARY)
        .env_remove("DYNAMODB_ENDPOINT")
        .env_remove("VENDOR_TABLE")
        .args(["--port=0", "--dataset", "orders=/nonexistent/o.json"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("dataset orders: cannot read /nonexistent/o.json"),
        "{stderr}"
    );
}

/// The registry the scripts and tests read: every served route once, each function's sample
/// files present, and the worker that no route serves.
#[test]
fn the_function_list_names_every_function_and_its_samples() {
    let output = std::process::Command::new(BINARY)
        .args(["--list-functions", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let functions: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut routes = Vec::new();
    for function in &functions {
        let name = function["name"].as_str().unwrap();
        assert!(
            root.join(function["event"].as_str().unwrap()).is_file(),
            "{name}: sample event"
        );
        if let Some(route) = function["route"].as_str() {
            assert!(
                root.join(function["payload"].as_str().unwrap()).is_file(),
                "{name}: payload"
            );
            assert!(
                ["rossum", "inkit", "contractfit"]
                    .contains(&function["platform"].as_str().unwrap()),
                "{name}"
            );
            routes.push(route.to_owned());
        }
    }
    let served = routes.len();
    routes.sort();
    routes.dedup();
    assert_eq!(routes.len(), served, "one function per route");
    assert!(served >= 14, "{served} routes");
    assert!(
        functions
            .iter()
            .any(|f| f["name"] == "inkit-document-details" && f["route"].is_null()),
        "the stream worker is listed without a route"
    );
}
