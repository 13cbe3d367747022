//! The `vendor-import` command as a user runs it: a CSV with bad rows and duplicate ids,
//! then a re-import, into the local server's vendor file and into DynamoDB Local.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_vendor-import");

const CSV: &str = "\
vendor_id,name,vat_id,iban,city,erp_code
V-1,Northwind Consulting B.V.,NL853122947B01,NL91ABNA0417164300,Amsterdam,100
V-2,,CZ25596641,,Praha,101
V-3,Contoso Ltd,not a vat id,,London,102
V-1,Northwind duplicate,,,,103
V-4,Müller & Söhne GmbH,DE129273398,DE89 3704 0044 0532 0130 00,München,104
V-5,Fabrikam,,DE89 3704 0044 0532 0130 01,Paris,105
";

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vendor-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(BINARY).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_csv(dir: &Path) -> String {
    let path = dir.join("vendors.csv");
    std::fs::write(&path, CSV).unwrap();
    path.to_str().unwrap().to_owned()
}

fn assert_rejections_reported(output: &Output, csv: &str) {
    let err = stderr(output);
    assert!(
        err.contains(&format!("{csv}:3: rejected: name is missing")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{csv}:4: rejected: vat_id \"not a vat id\" is not a VAT number"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{csv}:5: rejected: duplicate vendor_id \"V-1\" (first on line 2)"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{csv}:7: rejected: iban")), "{err}");
}

#[test]
fn import_into_the_local_servers_file_and_reimport_changes_nothing() {
    let dir = scratch_dir("local");
    let csv = write_csv(&dir);
    let target = dir.join("vendors.jsonl");
    let target_arg = target.to_str().unwrap();

    let first = run(&[&csv, "--local-file", target_arg]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first),
        "inserted 2, updated 0, unchanged 0, rejected 4"
    );
    assert_rejections_reported(&first, &csv);
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(
        written.lines().count(),
        2,
        "rejected rows are not written: {written}"
    );
    assert!(
        written.contains("\"erp_code\":\"100\""),
        "extra columns are kept: {written}"
    );

    let again = run(&[&csv, "--local-file", target_arg]);
    assert_eq!(
        stdout(&again),
        "inserted 0, updated 0, unchanged 2, rejected 4"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), written);

    let changed = dir.join("changed.csv");
    std::fs::write(
        &changed,
        "vendor_id,name,city\nV-1,Northwind Consulting B.V.,Rotterdam\nV-9,New Vendor,Brno\n",
    )
    .unwrap();
    let update = run(&[changed.to_str().unwrap(), "--local-file", target_arg]);
    assert_eq!(
        stdout(&update),
        "inserted 1, updated 1, unchanged 0, rejected 0"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap().lines().count(),
        3,
        "V-4 is kept"
    );

    let strict = run(&[&csv, "--local-file", target_arg, "--fail-on-rejected"]);
    assert_eq!(strict.status.code(), Some(3));
}

#[test]
fn usage_errors_are_explained() {
    let missing = run(&["/nonexistent/vendors.csv", "--local-file", "/tmp/x.jsonl"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read /nonexistent/vendors.csv"));
    let no_file = run(&["--table", "t"]);
    assert_eq!(no_file.status.code(), Some(2));
    assert!(stderr(&no_file).contains("the vendor file to import is missing"));
    assert!(run(&["--help"]).status.success());
}

#[test]
fn import_into_dynamodb_local_and_reimport_changes_nothing() {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").expect(
        "DYNAMODB_ENDPOINT is not set: run ./scripts/test, or export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)",
    );
    let dir = scratch_dir("dynamodb");
    let csv = write_csv(&dir);
    let table = format!("vendor-import-cli-{}", std::process::id());
    let args = [
        csv.as_str(),
        "--dynamodb-endpoint",
        endpoint.as_str(),
        "--table",
        table.as_str(),
        "--create-table",
    ];

    let first = run(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first),
        "inserted 2, updated 0, unchanged 0, rejected 4"
    );
    assert_rejections_reported(&first, &csv);
    let again = run(&args);
    assert_eq!(
        stdout(&again),
        "inserted 0, updated 0, unchanged 2, rejected 4",
        "{}",
        stderr(&again)
    );
}
