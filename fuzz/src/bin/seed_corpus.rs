//! Writes the seed inputs of `request_path` (the signed sample payloads and the hostile
//! bodies) to `corpus/request_path/`, encoded as the fuzz target reads them.

use std::path::Path;

use webhook_fuzz::{Harness, hostile_cases, sample_cases};

fn main() -> std::io::Result<()> {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = fuzz_dir.join("corpus/request_path");
    std::fs::create_dir_all(&corpus)?;
    let harness = Harness::new();
    let samples = sample_cases(&harness, &fuzz_dir.join("../events/payloads"));
    let routes = harness.route_count();
    let cases = samples
        .into_iter()
        .map(|(_, case)| case)
        .chain(hostile_cases(routes));
    let mut written = 0;
    for (n, case) in cases.enumerate() {
        std::fs::write(corpus.join(format!("seed-{n:03}")), case.encode())?;
        written += 1;
    }
    println!("{written} seeds in {}", corpus.display());
    Ok(())
}
