// Starts the analysis worker's WebAssembly (worker.js and worker_bg.wasm are
// written by Trunk for the `worker` binary; their names are not hashed).
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
