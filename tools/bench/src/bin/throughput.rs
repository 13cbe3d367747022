//! Requests per second of the local server on loopback: signed `updated` deliveries on a
//! generated annotation, from keep-alive HTTP/1.1 connections, for a fixed time.
//!
//! `cargo build --release -p local-server -p bench`, then
//! `target/release/throughput [--connections 16] [--seconds 10] [--line-items 100]`.
//! Every answer must be 200; the exit status is 1 otherwise.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use bench::{
    ROSSUM_DEVELOPMENT_SECRET, ROSSUM_SIGNATURE_HEADER, UPDATED_PAYLOAD, annotation_body,
    rossum_signature,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

const USAGE: &str = "\
Usage: throughput [--server PATH | --address HOST:PORT] [--connections N] [--seconds S]
                  [--warm-up S] [--line-items N]
       throughput --write-body PATH [--line-items N]

  --server PATH      local-server binary to start with --port 0
                     (default: target/release/local-server of this workspace)
  --address ADDR     drive a local server already listening there instead
                     (it must use the development Rossum secret and no replay window)
  --connections N    concurrent keep-alive connections (default 16)
  --seconds S        measured time (default 10)
  --warm-up S        time before measuring, not counted (default 1)
  --line-items N     rows of the generated annotation (default 100)
  --write-body PATH  write the generated delivery to PATH and exit, for another load
                     generator (scripts/bench-peer signs it and hands it to wrk)";

const ROUTE: &str = "/rossum/annotation-content/updated";

struct Options {
    server: PathBuf,
    address: Option<SocketAddr>,
    connections: usize,
    seconds: f64,
    warm_up: f64,
    line_items: usize,
    write_body: Option<PathBuf>,
}

fn parse_options() -> Result<Option<Options>, String> {
    let mut options = Options {
        server: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/local-server"),
        address: None,
        connections: 16,
        seconds: 10.0,
        warm_up: 1.0,
        line_items: 100,
        write_body: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let invalid = || format!("invalid value for {arg}: {value:?}");
        match arg.as_str() {
            "--server" => options.server = PathBuf::from(&value),
            "--address" => options.address = Some(value.parse().map_err(|_| invalid())?),
            "--connections" => options.connections = value.parse().map_err(|_| invalid())?,
            "--seconds" => options.seconds = value.parse().map_err(|_| invalid())?,
            "--warm-up" => options.warm_up = value.parse().map_err(|_| invalid())?,
            "--line-items" => options.line_items = value.parse().map_err(|_| invalid())?,
            "--write-body" => options.write_body = Some(PathBuf::from(&value)),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    if options.connections == 0 || options.seconds <= 0.0 || options.warm_up < 0.0 {
        return Err("connections and seconds must be positive".to_owned());
    }
    Ok(Some(options))
}

/// Starts the local server on a free loopback port, with the embedded vendor store and the
/// development Rossum secret, and waits until it listens.
async fn start_server(binary: &PathBuf) -> Result<(Child, SocketAddr), String> {
    let mut child = Command::new(binary)
        .args(["--port", "0"])
        .env("ROSSUM_HOOK_SECRET", ROSSUM_DEVELOPMENT_SECRET)
        // The sample's timestamp is old: a replay window would refuse every delivery.
        .env_remove("ROSSUM_MAX_EVENT_AGE_SECONDS")
        .env_remove("ROSSUM_HOOK_SECRET_PREVIOUS")
        .env_remove("DYNAMODB_ENDPOINT")
        .env_remove("VENDOR_TABLE")
        .env_remove("RECORDS_TABLE")
        .env_remove("PORT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start {}: {e} (build it with `cargo build --release -p local-server`)",
                binary.display()
            )
        })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next_line()
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the local server exited before listening")?;
        if let Some(url) = line.strip_prefix("listening on http://") {
            break url
                .trim()
                .parse()
                .map_err(|_| format!("unexpected line {line:?}"))?;
        }
    };
    // The server logs one line per request: keep reading them so its pipe never fills.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, address))
}

/// What one connection saw while measuring.
#[derive(Default)]
struct ConnectionReport {
    latencies: Vec<Duration>,
    not_ok: usize,
    first_failure: Option<String>,
}

type Sender = http1::SendRequest<Full<Bytes>>;

async fn connect(address: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends one delivery and reads the whole answer.
async fn call(
    sender: &mut Sender,
    address: SocketAddr,
    body: &Bytes,
    signature: &str,
) -> Result<(u16, Bytes), String> {
    let request = Request::post(ROUTE)
        .header("host", address.to_string())
        .header("content-type", "application/json")
        .header(ROSSUM_SIGNATURE_HEADER, signature)
        .body(Full::new(body.clone()))
        .expect("a valid request");
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let answer = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, answer))
}

/// Calls in a loop until `end`, keeping the answers completed in `[start, end]`.
async fn drive(
    address: SocketAddr,
    body: Bytes,
    signature: String,
    start: Instant,
    end: Instant,
) -> Result<ConnectionReport, String> {
    let mut sender = connect(address).await?;
    let mut report = ConnectionReport::default();
    while Instant::now() < end {
        let sent = Instant::now();
        let (status, answer) = call(&mut sender, address, &body, &signature).await?;
        let done = Instant::now();
        if done < start || done > end {
            continue;
        }
        report.latencies.push(done - sent);
        if status != 200 {
            report.not_ok += 1;
            report
                .first_failure
                .get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&answer)));
        }
    }
    Ok(report)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn run(options: Options) -> Result<bool, String> {
    let (server, address) = match options.address {
        Some(address) => (None, address),
        None => {
            let (child, address) = start_server(&options.server).await?;
            (Some(child), address)
        }
    };
    let body = Bytes::from(annotation_body(UPDATED_PAYLOAD, options.line_items));
    let signature = rossum_signature(ROSSUM_DEVELOPMENT_SECRET, &body);

    // One call first: the load means nothing unless the answer is the real one.
    let mut probe = connect(address).await?;
    let (status, answer) = call(&mut probe, address, &body, &signature).await?;
    let answer: serde_json::Value =
        serde_json::from_slice(&answer).map_err(|e| format!("answer is not JSON: {e}"))?;
    let operations = answer["operations"].as_array().map_or(0, Vec::len);
    if status != 200 || operations == 0 {
        return Err(format!(
            "the first delivery was answered {status}: {answer}"
        ));
    }
    drop(probe);

    let start = Instant::now() + Duration::from_secs_f64(options.warm_up);
    let end = start + Duration::from_secs_f64(options.seconds);
    let tasks: Vec<_> = (0..options.connections)
        .map(|_| tokio::spawn(drive(address, body.clone(), signature.clone(), start, end)))
        .collect();
    let mut latencies = Vec::new();
    let mut not_ok = 0;
    let mut first_failure = None;
    for task in tasks {
        let report = task.await.map_err(|e| e.to_string())??;
        latencies.extend(report.latencies);
        not_ok += report.not_ok;
        first_failure = first_failure.or(report.first_failure);
    }
    if let Some(mut child) = server {
        // Ours to stop: it was started above and is known by this handle only.
        child.kill().await.map_err(|e| e.to_string())?;
    }
    latencies.sort_unstable();
    let requests = latencies.len();
    println!(
        "{requests} requests in {} s on {} connections to {address}{ROUTE}: {} operations in each answer",
        options.seconds, options.connections, operations
    );
    if let Some(failure) = &first_failure {
        println!("{not_ok} answers were not 200; the first: {failure}");
    }
    println!(
        "\n| route | line items | body | connections | requests | req/s | not 200 | p50 | p90 | p99 | max |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| `updated` | {} | {:.0} KB | {} | {requests} | {:.0} | {not_ok} | {} | {} | {} | {} |",
        options.line_items,
        body.len() as f64 / 1024.0,
        options.connections,
        requests as f64 / options.seconds,
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.90)),
        millis(percentile(&latencies, 0.99)),
        millis(latencies.last().copied().unwrap_or_default()),
    );
    Ok(not_ok == 0 && requests > 0)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("throughput: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &options.write_body {
        let body = annotation_body(UPDATED_PAYLOAD, options.line_items);
        return match std::fs::write(path, &body) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("throughput: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        };
    }
    // One client thread, so that the server keeps the other core of a 2-core machine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(options)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("throughput: {message}");
            ExitCode::FAILURE
        }
    }
}
