//! `docs/permissions.md` is the permission table for humans: the table there must be exactly
//! what `pacta_core::access::permissions::table()` derives from `decide`.

#[test]
fn docs_permissions_md_is_the_table_decide_implements() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/permissions.md"
    ))
    .unwrap();
    let start = doc
        .find("<!-- table: generated -->")
        .expect("the table's start marker")
        + 25;
    let end = doc.find("<!-- /table -->").expect("the table's end marker");
    let written = doc[start..end].trim();
    let derived = pacta_core::access::permissions::table();
    assert_eq!(
        written,
        derived.trim(),
        "docs/permissions.md differs from decide(); the table decide() implements is:\n{derived}"
    );
}
