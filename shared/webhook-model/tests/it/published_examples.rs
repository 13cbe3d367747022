//! The model reads the deliveries Rossum publishes: its API reference's examples and the bodies
//! of its own sample repositories, from the handbook folder beside the repository
//! (`../shared/reference/rossum-examples`; skipped when absent).

use std::path::PathBuf;

use webhook_model::rossum::{AnnotationContentEvent, walk};

fn examples() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/rossum-examples");
    dir.is_dir().then_some(dir)
}

#[test]
fn every_published_annotation_content_delivery_parses() {
    let Some(dir) = examples() else {
        println!(
            "skipped: ../shared/reference/rossum-examples not found (not part of the repository)"
        );
        return;
    };
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Fragments elide parts with `...` in the source and are not JSON; constructed bodies
        // are a sample repository's test input (no `event`, no `category`), not deliveries.
        if !(name.contains("annotation_content") || name.contains("initialize"))
            || !name.contains("request")
            || name.contains("fragment")
            || name.contains("constructed")
        {
            continue;
        }
        let mut body: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        // The "Test a hook" request carries the delivery Rossum sends as its `payload`.
        if let Some(payload) = body.get_mut("payload") {
            body = payload.take();
        }
        let text = body.to_string();
        let event: AnnotationContentEvent =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let nodes = walk(event.content()).count();
        println!(
            "{name}: {}.{} with {nodes} nodes",
            event.event, event.action
        );
        assert_eq!(event.event, "annotation_content", "{name}");
        read += 1;
    }
    assert!(
        read >= 2,
        "only {read} published annotation_content deliveries found in {dir:?}"
    );
}
