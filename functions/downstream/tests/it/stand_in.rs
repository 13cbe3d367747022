//! A loopback stand-in of EventBridge's PutEvents (on `aws-json-stand-in`): it answers each
//! entry with an `EventId` or, where the test says so, an `ErrorCode`, and keeps what it took.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_json_stand_in::AwsJsonStandIn;
use serde_json::{Value, json};

#[derive(Default)]
struct State {
    /// Entries put, as sent.
    taken: Vec<Value>,
    /// Every request's entry count.
    requests: Vec<usize>,
    /// Per `event_id` of the detail: how many more sends fail, and with which code.
    failing: HashMap<String, (usize, &'static str)>,
    /// How many more requests are refused whole (403 AccessDeniedException).
    denied_requests: usize,
}

#[derive(Clone)]
pub struct EventBridgeStandIn {
    state: Arc<Mutex<State>>,
    server: AwsJsonStandIn,
    pub url: String,
}

impl EventBridgeStandIn {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let served = state.clone();
        let server = AwsJsonStandIn::start("AWSEvents.", move |operation, input| {
            assert_eq!(operation, "PutEvents");
            put_events(&mut served.lock().unwrap(), input)
        })
        .await;
        let url = server.url.clone();
        Self { state, server, url }
    }

    /// The entry whose detail has `event_id` fails its next `times` sends with `code`.
    pub fn fail(&self, event_id: &str, times: usize, code: &'static str) {
        let mut state = self.state.lock().unwrap();
        state.failing.insert(event_id.to_owned(), (times, code));
    }

    /// The next `times` requests are refused whole.
    pub fn deny_requests(&self, times: usize) {
        self.state.lock().unwrap().denied_requests = times;
    }

    pub fn taken(&self) -> Vec<Value> {
        self.state.lock().unwrap().taken.clone()
    }

    pub fn requests(&self) -> Vec<usize> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn malformed(&self) -> Vec<String> {
        self.server.malformed()
    }
}

fn put_events(state: &mut State, input: Value) -> (u16, Value) {
    let entries = input["Entries"].as_array().cloned().unwrap_or_default();
    state.requests.push(entries.len());
    if state.denied_requests > 0 {
        state.denied_requests -= 1;
        return (
            403,
            json!({"__type": "AccessDeniedException", "message": "User is not authorized to perform: events:PutEvents"}),
        );
    }
    let mut answered = Vec::with_capacity(entries.len());
    let mut failed = 0;
    for (n, entry) in entries.into_iter().enumerate() {
        let detail: Value = serde_json::from_str(entry["Detail"].as_str().unwrap_or("{}")).unwrap();
        let event_id = detail["event_id"].as_str().unwrap_or_default().to_owned();
        match state.failing.get_mut(&event_id) {
            Some((times, code)) if *times > 0 => {
                *times -= 1;
                failed += 1;
                answered.push(json!({"ErrorCode": *code, "ErrorMessage": "stand-in failure"}));
            }
            _ => {
                answered.push(json!({"EventId": format!("{}-{n}", state.taken.len())}));
                state.taken.push(entry);
            }
        }
    }
    (
        200,
        json!({"FailedEntryCount": failed, "Entries": answered}),
    )
}
