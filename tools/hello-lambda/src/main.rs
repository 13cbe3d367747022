//! The smallest lambda_http function: it answers every event 200 with a fixed JSON body. Built
//! with the functions' release profile, it is the floor their cold start and size are
//! measured against (`scripts/bench-cold-start`).

use lambda_http::{Body, Error, Request, Response, service_fn};

async fn hello(_request: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"message":"hello"}"#))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(hello)).await
}
