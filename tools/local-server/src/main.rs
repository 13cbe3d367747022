//! `local-server`: run every webhook function on a laptop, no AWS account needed.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use local_server::{Router, endpoints, serve};
use webhook_endpoint::{EndpointConfig, SecretSource, init_tracing};

const USAGE: &str = "\
Serve every webhook function locally, at the same paths as the deployed HTTP API.

Usage: local-server [--port PORT] [--host ADDRESS]

Options:
  --port PORT      port to listen on (default: $PORT, else 3000; 0 picks a free port)
  --host ADDRESS   address to bind (default: 127.0.0.1)
  -h, --help       print this help

Secrets come from ROSSUM_HOOK_SECRET, INKIT_WEBHOOK_SECRET and CONTRACTFIT_WEBHOOK_TOKEN
(each with a _PREVIOUS companion for rotation). Unset ones are replaced by the published
development secrets, and the server says so at start-up.";

struct Options {
    host: IpAddr,
    port: u16,
}

fn parse_options(
    args: impl Iterator<Item = String>,
    env_port: Option<String>,
) -> Result<Option<Options>, String> {
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port = match env_port {
        Some(p) => p
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {p:?}"))?,
        None => 3000,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let v = value()?;
                port = v
                    .parse()
                    .map_err(|_| format!("--port must be a port number, not {v:?}"))?;
            }
            "--host" => {
                let v = value()?;
                host = v
                    .parse()
                    .map_err(|_| format!("--host must be an IP address, not {v:?}"))?;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(Options { host, port }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1), std::env::var("PORT").ok()) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("local-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::EnvironmentOrDevelopmentDefaults);
    config.log_startup_findings(&[]);
    for dev in &config.development_secrets_in_use {
        tracing::warn!(
            "{} is not set: using its PUBLISHED DEVELOPMENT SECRET (see README). Never expose this server.",
            dev.variable
        );
    }
    let router = Router::new(endpoints(&config));
    let address = SocketAddr::new(options.host, options.port);
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("local-server: cannot listen on {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr().expect("bound socket has an address");
    for route in router.routes() {
        println!("POST http://{bound}{route}");
    }
    // Tests and scripts wait for this exact line.
    println!("listening on http://{bound}");
    match serve(listener, router).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("local-server: {error}");
            ExitCode::FAILURE
        }
    }
}
