//! Mounts the consent screen; everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(frontend::App);
}

// The host build exists only so `cargo test -p frontend` can run the logic
// tests on x86_64.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
