// `include_dir!` cannot tell Cargo which files it read: rebuild when the
// editor app's built files change.
fn main() {
    println!("cargo:rerun-if-changed=assets/admin");
}
