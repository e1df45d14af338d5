//! The analysis worker: started by the UI as `worker_loader.js`.

#[cfg(target_arch = "wasm32")]
fn main() {
    entrascope_web::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the entrascope worker runs in a browser Web Worker");
}
