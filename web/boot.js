// Starts the UI's WebAssembly. Trunk writes the hashed file names into this
// script's data attributes (Trunk.toml pattern_script), so the page needs no
// inline script and the Content-Security-Policy stays strict.
const boot = document.getElementById('entrascope-boot');
const { default: init } = await import(new URL(boot.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(boot.dataset.wasm, document.baseURI).href });
