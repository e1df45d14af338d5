//! The worker's reading and analysis, driven from Node for profiling.
use std::cell::RefCell;

use entrascope_analysis::{Analysis, Session};
use entrascope_core::{Settings, Timestamp};
use wasm_bindgen::prelude::*;

thread_local! {
    static SESSION: RefCell<Option<Session>> = RefCell::new(Some(Session::new()));
    static ANALYSIS: RefCell<Option<Analysis>> = const { RefCell::new(None) };
}

#[wasm_bindgen]
pub fn begin(path: &str, size: f64) {
    SESSION.with(|s| {
        if let Some(s) = s.borrow_mut().as_mut() {
            s.begin_file(path);
            s.expect_bytes(size as u64);
        }
    });
}

#[wasm_bindgen]
pub fn feed(chunk: &[u8]) {
    SESSION.with(|s| {
        if let Some(s) = s.borrow_mut().as_mut() {
            s.feed(chunk);
        }
    });
}

#[wasm_bindgen]
pub fn end() {
    SESSION.with(|s| {
        if let Some(s) = s.borrow_mut().as_mut() {
            s.end_file();
        }
    });
}

#[wasm_bindgen]
pub fn finish() -> usize {
    let a = SESSION.with(|s| s.borrow_mut().take()).map(|s| s.finish());
    let n = a.as_ref().map_or(0, |a| a.ds.signins.len());
    ANALYSIS.with(|x| *x.borrow_mut() = a);
    n
}

#[wasm_bindgen]
pub fn analyze(settings: &str, now_ms: f64) -> usize {
    let (settings, _) = Settings::from_json(settings).unwrap_or_default();
    ANALYSIS.with(|a| a.borrow().as_ref().map_or(0, |a| a.analyze(&settings, Timestamp(now_ms as i64)).findings.len()))
}

#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory().unchecked_into::<js_sys_memory::Memory>().buffer_len()
}

mod js_sys_memory {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = WebAssembly)]
        pub type Memory;
        #[wasm_bindgen(method, getter, js_name = buffer)]
        fn buffer(this: &Memory) -> JsValue;
    }
    impl Memory {
        pub fn buffer_len(&self) -> f64 {
            js_sys_len(&self.buffer())
        }
    }
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Reflect, js_name = get)]
        fn reflect_get(target: &JsValue, key: &JsValue) -> JsValue;
    }
    fn js_sys_len(buf: &JsValue) -> f64 {
        reflect_get(buf, &JsValue::from_str("byteLength")).as_f64().unwrap_or(0.0)
    }
}
