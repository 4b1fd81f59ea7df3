// sqlx::migrate! embeds the migrations at compile time, but cargo does not know that the
// crate reads them, so without this line a new or changed migration needs a source change
// before a build picks it up.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
