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
    /// Parts read by a helper worker and joined, in the last run (for the benchmark's stats).
    static PARTS_JOINED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
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
            // Asynchronous only to wait for a helper worker's part (see read_all).
            wasm_bindgen_futures::spawn_local(async move {
                let t0 = js_sys::Date::now();
                if let Err(e) = read_all(&paths, &blobs).await {
                    post(&FromWorker::Error(e), None);
                    return;
                }
                let t1 = js_sys::Date::now();
                analyze(&settings, now_ms);
                publish_stats(&[("read_s", (t1 - t0) / 1000.0), ("analyze_s", (js_sys::Date::now() - t1) / 1000.0)]);
            });
        }
        ToWorker::ReadPart { path, header_bytes, start, end, last } => read_part(&path, blobs.first(), header_bytes, start, end, last),
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
    let _ = Reflect::set(&stats, &"parts_joined".into(), &JsValue::from_f64(PARTS_JOINED.with(|n| n.get()) as f64));
    let _ = Reflect::set(&scope(), &"__entrascope_stats".into(), &stats);
}

/// A file is split between this worker and a helper only when each part
/// gets at least this many bytes (a helper takes a few hundred milliseconds
/// to start and its part must cross over in byte form: on smaller files
/// one worker is as fast)...
const MIN_PART: f64 = 128.0 * 1024.0 * 1024.0;
/// ...and only up to this size: the helper holds its half twice over (its
/// records, then their byte form) while this worker holds the rest, which
/// for a file of 1 GB (a million sign-ins) takes the tab from about 0.9 to
/// about 1.3 GB (bench/OPTIMIZATIONS.md). Larger files are read by one
/// worker, within about 1 GB per million rows.
const MAX_SPLIT: f64 = 768.0 * 1024.0 * 1024.0;

/// Reads every input into a fresh session, posting progress per slice.
///
/// A large CSV export is read by two workers at once (the browser gives
/// each its own core): once its header is known, the rest is cut at a line
/// break in the middle; a helper worker reads the second half as a `Part`
/// and sends it back in its byte form while this one reads the first half,
/// then joins it (`Session::adopt_encoded`). If the helper cannot start or
/// its part cannot be joined exactly, this worker reads the second half too.
async fn read_all(paths: &[String], blobs: &[Blob]) -> Result<(), String> {
    if paths.len() != blobs.len() {
        return Err("internal: paths and files do not match".into());
    }
    ENGINE.with(|e| e.borrow_mut().reset());
    PARTS_JOINED.with(|n| n.set(0));
    let reader = FileReaderSync::new().map_err(|e| format!("this browser cannot read files in a worker: {e:?}"))?;
    let mut buf = Vec::new();
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
        ENGINE.with(|e| e.borrow_mut().begin_file(path));
        // The first slice: the header, and what to do with the rest.
        let first = CHUNK.min(total);
        if first > 0.0 {
            read_slice(&reader, blob, path, 0.0, first, &mut buf)?;
            ENGINE.with(|e| e.borrow_mut().feed(&buf));
            report(&mut progress, first);
        }
        let helper = match ENGINE.with(|e| e.borrow().split_info()) {
            Some(info) => Helper::start(&reader, path, blob, info.header_bytes, first, total),
            None => None,
        };
        // Sizes the record table once (see Session::expect_bytes), for the
        // bytes this worker reads: with a helper, its own part (the table
        // grows for the helper's rows after the helper has ended and given
        // its memory back).
        let mine = helper.as_ref().map_or(total, |h| h.start);
        ENGINE.with(|e| e.borrow_mut().expect_bytes(mine as u64));
        feed_prefetched(blob, path, first, mine, &mut progress).await?;
        if let Some(h) = helper {
            let part = h.result().await;
            let joined = match part {
                Some(bytes) => ENGINE.with(|e| e.borrow_mut().adopt_encoded(&bytes)).is_ok(),
                None => false,
            };
            PARTS_JOINED.with(|n| n.set(n.get() + joined as u32));
            if !joined {
                feed_prefetched(blob, path, mine, total, &mut progress).await?;
            }
            report(&mut progress, total);
        }
        let (records, rejected) = ENGINE.with(|e| e.borrow_mut().end_file());
        progress.records = records;
        progress.rejected = rejected;
        progress.done = true;
        post(&FromWorker::Progress(progress), None);
    }
    Ok(())
}

/// Feeds the bytes `[from, to)` of `blob` to the session, one slice always
/// being read (by the browser, on its own threads) while the previous one
/// is parsed: reading a file costs about 4 s per GB, which then overlaps
/// the parsing instead of adding to it. Waiting for a read also lets other
/// events in (a helper worker's messages).
async fn feed_prefetched(blob: &Blob, path: &str, from: f64, to: f64, progress: &mut FileProgress) -> Result<(), String> {
    let start = |a: f64| -> Result<wasm_bindgen_futures::JsFuture, String> {
        let slice = blob.slice_with_f64_and_f64(a, (a + CHUNK).min(to)).map_err(|e| format!("{path}: {e:?}"))?;
        Ok(wasm_bindgen_futures::JsFuture::from(slice.array_buffer()))
    };
    let mut at = from;
    let mut pending = if at < to { Some(start(at)?) } else { None };
    let mut buf = Vec::new();
    while let Some(read) = pending.take() {
        let ab = read.await.map_err(|e| format!("{path} could not be read: {e:?}"))?;
        let end = (at + CHUNK).min(to);
        if end < to {
            pending = Some(start(end)?);
        }
        let arr = Uint8Array::new(&ab);
        buf.resize(arr.length() as usize, 0);
        arr.copy_to(&mut buf);
        ENGINE.with(|e| e.borrow_mut().feed(&buf));
        at = end;
        report(progress, at);
    }
    Ok(())
}

/// Posts progress after `at` bytes of the current file.
fn report(progress: &mut FileProgress, at: f64) {
    progress.bytes_done = at as u64;
    let (records, rejected) = ENGINE.with(|e| e.borrow().records_so_far());
    progress.records = records;
    progress.rejected = rejected;
    post(&FromWorker::Progress(progress.clone()), None);
}

/// Reads the bytes `[from, to)` of `blob` into `buf`.
fn read_slice(reader: &FileReaderSync, blob: &Blob, path: &str, from: f64, to: f64, buf: &mut Vec<u8>) -> Result<(), String> {
    let slice = blob.slice_with_f64_and_f64(from, to).map_err(|e| format!("{path}: {e:?}"))?;
    let ab = reader.read_as_array_buffer(&slice).map_err(|e| format!("{path} could not be read: {e:?}"))?;
    let arr = Uint8Array::new(&ab);
    buf.resize(arr.length() as usize, 0);
    arr.copy_to(buf);
    Ok(())
}

/// A helper worker reading the second part of a file.
struct Helper {
    worker: web_sys::Worker,
    /// Where its part starts.
    start: f64,
    done: js_sys::Promise,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Helper {
    /// Starts a helper for the bytes after the first line break past the
    /// middle of what is left of the file; `None` when the file is too
    /// small to gain from it or no worker can start here.
    fn start(reader: &FileReaderSync, path: &str, blob: &Blob, header_bytes: u64, at: f64, total: f64) -> Option<Helper> {
        if total - at < 2.0 * MIN_PART || total > MAX_SPLIT {
            return None;
        }
        let guess = (at + (total - at) / 2.0).floor();
        let mut buf = Vec::new();
        read_slice(reader, blob, path, guess, (guess + 1024.0 * 1024.0).min(total), &mut buf).ok()?;
        let start = guess + buf.iter().position(|&b| b == b'\n')? as f64 + 1.0;
        if total - start < MIN_PART {
            return None;
        }
        let worker = web_sys::Worker::new("./worker_loader.js").ok()?;
        let request = ToWorker::ReadPart { path: path.to_string(), header_bytes, start: start as u64, end: total as u64, last: true };
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        let request = serde::Serialize::serialize(&request, &serializer).ok()?;
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"msg".into(), &request);
        let _ = Reflect::set(&envelope, &"blobs".into(), &Array::of1(blob));
        let mut resolve: Option<js_sys::Function> = None;
        let done = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
        let resolve = resolve?;
        let (w, on_done) = (worker.clone(), resolve.clone());
        let sent = std::rc::Rc::new(std::cell::Cell::new(false));
        // The helper says Ready once its wasm is loaded (a message sent before
        // would be lost), then answers with {part: Uint8Array} or {part: null}.
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            match Reflect::get(&data, &"part".into()) {
                Ok(part) if !part.is_undefined() => {
                    let _ = on_done.call1(&JsValue::NULL, &part);
                }
                _ if !sent.get() => {
                    sent.set(true);
                    let _ = w.post_message(&envelope);
                }
                _ => {}
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Helper { worker, start, done, _on_message: on_message, _on_error: on_error })
    }

    /// The helper's part in its byte form, or `None` if it failed; the
    /// helper is stopped (its memory goes back to the browser).
    async fn result(self) -> Option<Vec<u8>> {
        let value = wasm_bindgen_futures::JsFuture::from(self.done.clone()).await.ok();
        self.worker.terminate();
        let arr = value?.dyn_into::<Uint8Array>().ok()?;
        Some(arr.to_vec())
    }
}

/// In a helper worker: reads `[start, end)` of the file as a part after its
/// header and posts the part's byte form to the worker that started it.
fn read_part(path: &str, blob: Option<&Blob>, header_bytes: u64, start: u64, end: u64, last: bool) {
    let encoded = (|| -> Option<Vec<u8>> {
        let blob = blob?;
        let reader = FileReaderSync::new().ok()?;
        let mut buf = Vec::new();
        read_slice(&reader, blob, path, 0.0, header_bytes as f64, &mut buf).ok()?;
        let mut part = entrascope_analysis::Part::new(path, &buf);
        part.expect_bytes(header_bytes + end.saturating_sub(start));
        let mut at = start as f64;
        while at < end as f64 {
            let to = (at + CHUNK).min(end as f64);
            read_slice(&reader, blob, path, at, to, &mut buf).ok()?;
            part.feed(&buf);
            at = to;
        }
        part.finish(last);
        Some(part.encode())
    })();
    let envelope = Object::new();
    match encoded {
        Some(bytes) => {
            let arr = Uint8Array::from(bytes.as_slice());
            drop(bytes);
            let _ = Reflect::set(&envelope, &"part".into(), &arr);
            let _ = scope().post_message_with_transfer(&envelope, &Array::of1(&arr.buffer()));
        }
        None => {
            let _ = Reflect::set(&envelope, &"part".into(), &JsValue::NULL);
            let _ = scope().post_message(&envelope);
        }
    }
}
