//! A loopback stand-in of Secrets Manager's GetSecretValue (on `aws-json-stand-in`): it
//! answers the secret's current text, or 503 while `down`, and counts the reads.

use std::sync::{Arc, Mutex};

use aws_json_stand_in::AwsJsonStandIn;
use serde_json::{Value, json};

pub const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhooks-rossum-AbCdEf";

#[derive(Default)]
struct State {
    text: String,
    down: bool,
    reads: usize,
}

#[derive(Clone)]
pub struct SecretsManagerStandIn {
    state: Arc<Mutex<State>>,
    server: AwsJsonStandIn,
    pub url: String,
}

impl SecretsManagerStandIn {
    pub async fn start(text: &str) -> Self {
        let state = Arc::new(Mutex::new(State {
            text: text.to_owned(),
            ..State::default()
        }));
        let served = state.clone();
        let server = AwsJsonStandIn::start("secretsmanager.", move |operation, input| {
            assert_eq!(operation, "GetSecretValue");
            get_secret_value(&mut served.lock().unwrap(), &input)
        })
        .await;
        let url = server.url.clone();
        Self { state, server, url }
    }

    /// The secret's new current text (a rotation).
    pub fn put(&self, text: &str) {
        self.state.lock().unwrap().text = text.to_owned();
    }

    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    pub fn reads(&self) -> usize {
        self.state.lock().unwrap().reads
    }

    pub fn malformed(&self) -> Vec<String> {
        self.server.malformed()
    }
}

fn get_secret_value(state: &mut State, input: &Value) -> (u16, Value) {
    state.reads += 1;
    if state.down {
        return (
            503,
            json!({"__type": "ServiceUnavailableException", "Message": "stand-in down"}),
        );
    }
    if input["SecretId"] != SECRET_ARN {
        return (
            400,
            json!({"__type": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}),
        );
    }
    (
        200,
        json!({
            "ARN": SECRET_ARN, "Name": "webhooks-rossum", "SecretString": state.text,
            "VersionId": format!("v{}", state.reads), "VersionStages": ["AWSCURRENT"],
            "CreatedDate": 1795167677.0
        }),
    )
}
