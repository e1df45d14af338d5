//! The worker's browser glue: receives [`ToWorker`] messages, reads each
//! input in 4 MiB slices with `FileReaderSync` (workers may block; the UI
//! never does), feeds the [`Engine`], and posts progress and views back.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::engine::{parse_settings, Engine};
use crate::protocol::{FileProgress, FromWorker, ToWorker};
use entrascope_core::{Settings, Timestamp};

/// Bytes read per slice.
pub const CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
    /// The settings of the last run, reused when only the data changes.
    static LAST: RefCell<(Settings, i64)> = RefCell::new((Settings::default(), 0));
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker, blob: Option<&Blob>) {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    let value = match serde::Serialize::serialize(msg, &serializer) {
        Ok(v) => v,
        Err(e) => {
            let err = FromWorker::Error(format!("internal: could not encode a message: {e}"));
            serde::Serialize::serialize(&err, &serializer).unwrap_or(JsValue::NULL)
        }
    };
    let envelope = Object::new();
    let _ = Reflect::set(&envelope, &"msg".into(), &value);
    if let Some(b) = blob {
        let _ = Reflect::set(&envelope, &"blob".into(), b);
    }
    let _ = scope().post_message(&envelope);
}

pub fn run() {
    // A panic aborts the worker (panic = "abort"); say why before it does.
    std::panic::set_hook(Box::new(|info| {
        post(&FromWorker::Error(format!("The analysis stopped on an internal error: {info}")), None);
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let data = ev.data();
        let msg = Reflect::get(&data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
        let blobs: Vec<Blob> = Reflect::get(&data, &"blobs".into())
            .ok()
            .map(|a| Array::from(&a).iter().filter_map(|b| b.dyn_into::<Blob>().ok()).collect())
            .unwrap_or_default();
        match serde_wasm_bindgen::from_value::<ToWorker>(msg) {
            Ok(m) => handle(m, blobs),
            Err(e) => post(&FromWorker::Error(format!("internal: unreadable request: {e}")), None),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready, None);
}

fn analyze(settings: &Settings, now_ms: i64) {
    LAST.with(|l| *l.borrow_mut() = (settings.clone(), now_ms));
    let result = ENGINE.with(|e| e.borrow_mut().analyze(settings, Timestamp(now_ms)));
    match result {
        Ok(view) => post(&FromWorker::Analyzed(Box::new(view)), None),
        Err(e) => post(&FromWorker::Error(e), None),
    }
}

fn handle(msg: ToWorker, blobs: Vec<Blob>) {
    match msg {
        ToWorker::Ingest { paths, settings, now_ms } => {
            let t0 = js_sys::Date::now();
            if let Err(e) = read_all(&paths, &blobs) {
                post(&FromWorker::Error(e), None);
                return;
            }
            let t1 = js_sys::Date::now();
            analyze(&settings, now_ms);
            publish_stats(&[("read_s", (t1 - t0) / 1000.0), ("analyze_s", (js_sys::Date::now() - t1) / 1000.0)]);
        }
        ToWorker::Analyze { settings, now_ms } => analyze(&settings, now_ms),
        ToWorker::Detail { finding } => {
            if let Some(d) = ENGINE.with(|e| e.borrow().detail(finding)) {
                post(&FromWorker::Detail(Box::new(d)), None);
            }
        }
        ToWorker::Evidence(q) => {
            if let Some(p) = ENGINE.with(|e| e.borrow_mut().evidence(&q)) {
                post(&FromWorker::Evidence(p), None);
            }
        }
        ToWorker::Record { source, row } => {
            if let Some(r) = ENGINE.with(|e| e.borrow().record(source, row)) {
                post(&FromWorker::Record(r), None);
            }
        }
        ToWorker::Export { format } => {
            let Some(text) = ENGINE.with(|e| e.borrow().export(format)) else {
                post(&FromWorker::Error("Nothing to export yet.".into()), None);
                return;
            };
            let bytes = text.len() as u64;
            let parts = Array::of1(&JsValue::from_str(&text));
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type(format.mime());
            match Blob::new_with_str_sequence_and_options(&parts, &opts) {
                Ok(blob) => post(&FromWorker::Export { filename: format.filename().into(), bytes }, Some(&blob)),
                Err(_) => post(&FromWorker::Error("The export could not be created.".into()), None),
            }
        }
        ToWorker::ParseSettings { text } => {
            let parsed = parse_settings(&text);
            let ok = parsed.as_ref().ok().map(|p| p.settings.clone());
            post(&FromWorker::Settings(parsed), None);
            if let Some(settings) = ok {
                if ENGINE.with(|e| e.borrow().has_data()) {
                    let now = LAST.with(|l| l.borrow().1);
                    let now = if now == 0 { js_sys::Date::now() as i64 } else { now };
                    analyze(&settings, now);
                }
            }
        }
    }
}

/// An optional hook for benchmarks (`bench/browser.mjs` reads it through
/// the browser's debugging protocol): the size of this worker's wasm memory
/// (which only grows, so it is the peak) and how long the last run's phases
/// took, on the worker's own global scope as `__entrascope_stats`. Nothing
/// is sent anywhere.
fn publish_stats(phases: &[(&str, f64)]) {
    let stats = Object::new();
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    let bytes = memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length();
    let _ = Reflect::set(&stats, &"wasm_memory_bytes".into(), &JsValue::from_f64(bytes as f64));
    let times = Object::new();
    for (name, secs) in phases {
        let _ = Reflect::set(&times, &JsValue::from_str(name), &JsValue::from_f64(*secs));
    }
    let _ = Reflect::set(&stats, &"phases".into(), &times);
    let _ = Reflect::set(&scope(), &"__entrascope_stats".into(), &stats);
}

/// Reads every input into a fresh session, posting progress per slice.
fn read_all(paths: &[String], blobs: &[Blob]) -> Result<(), String> {
    if paths.len() != blobs.len() {
        return Err("internal: paths and files do not match".into());
    }
    ENGINE.with(|e| e.borrow_mut().reset());
    let reader = FileReaderSync::new().map_err(|e| format!("this browser cannot read files in a worker: {e:?}"))?;
    for (i, (path, blob)) in paths.iter().zip(blobs).enumerate() {
        let total = blob.size();
        let mut progress = FileProgress {
            index: i as u32,
            path: path.clone(),
            bytes_done: 0,
            bytes_total: total as u64,
            records: 0,
            rejected: 0,
            done: false,
        };
        ENGINE.with(|e| {
            let mut e = e.borrow_mut();
            e.begin_file(path);
            // Sizes the record table once (see Session::expect_bytes).
            e.expect_bytes(total as u64);
        });
        let mut at = 0.0;
        let mut buf = Vec::new();
        while at < total {
            let end = (at + CHUNK).min(total);
            let slice = blob.slice_with_f64_and_f64(at, end).map_err(|e| format!("{path}: {e:?}"))?;
            let ab = reader.read_as_array_buffer(&slice).map_err(|e| format!("{path} could not be read: {e:?}"))?;
            let arr = Uint8Array::new(&ab);
            buf.resize(arr.length() as usize, 0);
            arr.copy_to(&mut buf);
            ENGINE.with(|e| e.borrow_mut().feed(&buf));
            at = end;
            progress.bytes_done = at as u64;
            let (records, rejected) = ENGINE.with(|e| e.borrow().records_so_far());
            progress.records = records;
            progress.rejected = rejected;
            post(&FromWorker::Progress(progress.clone()), None);
        }
        let (records, rejected) = ENGINE.with(|e| e.borrow_mut().end_file());
        progress.records = records;
        progress.rejected = rejected;
        progress.done = true;
        post(&FromWorker::Progress(progress), None);
    }
    Ok(())
}
