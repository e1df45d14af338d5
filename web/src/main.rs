//! The UI thread: mounts the Yew app.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<entrascope_web::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("entrascope-web is a browser app: build it with `scripts/build-web` (trunk).");
}
