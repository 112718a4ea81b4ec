//! The README stays true: its format matrix is the code's, its register
//! columns are the contract, and its first commands are the ones CI runs.

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn format_matrix_matches_the_code() {
    let r = readme();
    let begin = r.find("<!-- formats:begin -->\n").expect("formats:begin marker") + "<!-- formats:begin -->\n".len();
    let end = r.find("<!-- formats:end -->").expect("formats:end marker");
    assert_eq!(
        &r[begin..end],
        seam::app::format_matrix(),
        "README format matrix is stale: paste `seam formats --markdown`"
    );
}

#[test]
fn first_commands_build_the_demo_and_run_the_tests() {
    let r = readme();
    let block = r
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a sh block near the top");
    let lines: Vec<&str> = block.lines().collect();
    assert!(
        lines
            .first()
            .is_some_and(|l| l.starts_with("cargo run --release -- scan testdata/demo")),
        "{lines:?}"
    );
    assert_eq!(lines.get(1), Some(&"cargo test"));
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        ".ci/run must run the README's test command"
    );
}
