//! The `dataset-import` command as a user runs it, into DynamoDB Local: a CSV with a row that
//! cannot be a record, its re-import, an update by keys and a delete by keys; and the
//! mistakes on its command line.

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_dataset-import");

fn run(args: &[&str]) -> Output {
    Command::new(BINARY).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_dataset_is_imported_reimported_updated_and_deleted_by_keys() {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").expect(
        "DYNAMODB_ENDPOINT is not set: run ./scripts/test, or export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)",
    );
    let dir = std::env::temp_dir().join(format!("dataset-import-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let products = dir.join("products.csv");
    std::fs::write(
        &products,
        "code;name;unit\nA-1;Bolt;box\nA-2;Nut;\nA-3;Washer;bag;extra\nA-4;Screw;box\n",
    )
    .unwrap();
    let changes = dir.join("changes.jsonl");
    std::fs::write(
        &changes,
        "{\"code\": \"A-1\", \"name\": \"Bolt M8\", \"unit\": \"box\"}\n{\"code\": \"A-9\", \"name\": \"Rivet\"}\n",
    )
    .unwrap();
    let table = format!("dataset-import-cli-{}", std::process::id());
    let common = [
        "--dynamodb-endpoint",
        endpoint.as_str(),
        "--table",
        table.as_str(),
    ];
    let import = |file: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["products", file.to_str().unwrap()];
        args.extend(common);
        args.extend(extra);
        run(&args)
    };

    let first = import(
        &products,
        &["--create-table", "--index", "code", "--fuzzy-index", "name"],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first),
        "inserted 3, updated 0, unchanged 0, deleted 0, rejected 1"
    );
    let said = stderr(&first);
    assert!(
        said.contains(&format!("{}:4: rejected", products.display())),
        "{said}"
    );

    let again = import(&products, &["--index", "code", "--fuzzy-index", "name"]);
    assert!(
        stdout(&again).starts_with("inserted 0, updated 0, unchanged 3"),
        "{}",
        stdout(&again)
    );

    let update = import(&changes, &["--mode", "update", "--key", "code"]);
    assert_eq!(
        stdout(&update),
        "inserted 1, updated 1, unchanged 0, deleted 0, rejected 0",
        "{}",
        stderr(&update)
    );

    let delete = import(
        &changes,
        &["--mode", "delete", "--key", "code", "--fail-on-rejected"],
    );
    assert_eq!(
        stdout(&delete),
        "inserted 0, updated 0, unchanged 0, deleted 2, rejected 0",
        "{}",
        stderr(&delete)
    );

    let rejected = import(
        &products,
        &[
            "--index",
            "code",
            "--fuzzy-index",
            "name",
            "--fail-on-rejected",
            // The replaced records are not read by anyone: no need to keep them a minute.
            "--grace-seconds",
            "0",
        ],
    );
    assert_eq!(
        rejected.status.code(),
        Some(3),
        "the washer row is rejected again"
    );
}

#[test]
fn command_line_mistakes_exit_2_naming_them() {
    for (args, said) in [
        (&["products"][..], "NAME and the FILE"),
        (&["products", "f.csv", "--mode", "merge"], "merge"),
        (&["products", "f.csv", "--index", "code+"], "code+"),
        (&["products", "f.csv", "--mode", "update"], "--key"),
    ] {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(said),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(run(&["--help"]).status.success());
}
