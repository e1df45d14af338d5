// Starts the UI's WebAssembly. Trunk writes the hashed file names into this
// script's data attributes (Trunk.toml pattern_script), so the page needs no
// inline script and the Content-Security-Policy stays strict.
const boot = document.getElementById('entrascope-boot');
// The app is built for WebAssembly SIMD (.cargo/config.toml). A browser
// without it (Safari before 16.4, 2023) would fail with a compile error;
// say what is needed instead. The bytes are a one-function module using
// i8x16.splat and i8x16.popcnt (as in wasm-feature-detect).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) {
  const p = document.createElement('p');
  p.className = 'noscript';
  p.textContent = 'entrascope needs a browser with WebAssembly SIMD: Chrome or Edge 91, Firefox 89, Safari 16.4 or later. Nothing was loaded or sent.';
  document.body.replaceChildren(p);
  throw new Error('WebAssembly SIMD is not available');
}
const { default: init } = await import(new URL(boot.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(boot.dataset.wasm, document.baseURI).href });
