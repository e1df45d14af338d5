//! The worker's browser glue: receives [`ToWorker`] messages, reads each
//! input in 4 MiB slices (the next one read while the current one is
//! parsed; a large CSV export shared with a helper worker), feeds the
//! [`Engine`], and posts progress and views back. Workers may wait; the UI
//! never does.

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
    /// Pieces read by a helper worker and joined, in the last run (for the benchmark's stats).
    static PARTS_JOINED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// Pieces a helper sent that could not be joined and were read here again.
    static PARTS_REREAD: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
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
        ToWorker::ReadPart { path, header_bytes, start, end, last, piece } => {
            read_part(&path, blobs.first(), header_bytes, start, end, last, piece as f64)
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
    let _ = Reflect::set(&stats, &"parts_joined".into(), &JsValue::from_f64(PARTS_JOINED.with(|n| n.get()) as f64));
    let _ = Reflect::set(&stats, &"parts_reread".into(), &JsValue::from_f64(PARTS_REREAD.with(|n| n.get()) as f64));
    let _ = Reflect::set(&scope(), &"__entrascope_stats".into(), &stats);
}

/// When a file is shared with a helper worker, and in what pieces.
#[derive(Clone, Copy)]
struct Split {
    /// A file is split only when each side gets at least this many bytes:
    /// a helper takes a few hundred milliseconds to start and its records
    /// must cross over in byte form, so on smaller files one worker is as
    /// fast (bench/OPTIMIZATIONS.md, B3).
    min_part: f64,
    /// The helper sends what it read in pieces of about this many bytes of
    /// input, each as soon as it is read, and starts the next piece afresh:
    /// it never holds more than one piece's records, and the pieces wait
    /// here in their compact byte form (outside this worker's wasm memory)
    /// until this worker has read its own part. So a file of any size can
    /// be split.
    piece: f64,
}

impl Split {
    const DEFAULT: Split = Split { min_part: 128.0 * 1024.0 * 1024.0, piece: 64.0 * 1024.0 * 1024.0 };

    /// The defaults, or what the worker's address asks for: `split=off`
    /// reads every file in one worker, `split=BYTES` splits files from
    /// twice that size in pieces of that size (for tests and benchmarks:
    /// the page passes its own `split=` parameter on).
    fn from_location() -> Option<Split> {
        let search = scope().location().search();
        let Some(v) = search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix("split=")) else {
            return Some(Split::DEFAULT);
        };
        match v.parse::<f64>() {
            Ok(n) if n >= 1.0 => Some(Split { min_part: n, piece: n }),
            _ => None,
        }
    }
}

/// Reads every input into a fresh session, posting progress per slice.
///
/// A large CSV export is read by two workers at once (the browser gives
/// each its own core): once its header is known, the rest is cut at a line
/// break in the middle; a helper worker reads the second half in pieces,
/// each a `Part` sent in its byte form, while this one reads the first
/// half; then this worker joins the pieces in order
/// (`Session::adopt_encoded`). A piece that cannot be joined exactly, or
/// that the helper could not read, is read here instead, so the result is
/// always the same as one worker reading the whole file.
async fn read_all(paths: &[String], blobs: &[Blob]) -> Result<(), String> {
    if paths.len() != blobs.len() {
        return Err("internal: paths and files do not match".into());
    }
    ENGINE.with(|e| e.borrow_mut().reset());
    PARTS_JOINED.with(|n| n.set(0));
    PARTS_REREAD.with(|n| n.set(0));
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
        // Sizes the record table once for the whole file (see
        // Session::expect_bytes), the helper's rows included: they are
        // appended without the table moving. Pages of the table are only
        // resident once written.
        ENGINE.with(|e| e.borrow_mut().expect_bytes(total as u64));
        let helper = match (ENGINE.with(|e| e.borrow().split_info()), Split::from_location()) {
            (Some(info), Some(split)) => Helper::start(&reader, path, blob, info.header_bytes, first, total, split),
            _ => None,
        };
        let mine = helper.as_ref().map_or(total, |h| h.start);
        feed_prefetched(blob, path, first, mine, &mut progress).await?;
        if let Some(h) = helper {
            // Joins the helper's pieces in order; whatever is missing or
            // refused is read here.
            let mut at = mine;
            while let Some(piece) = h.next().await {
                if piece.start != at {
                    continue;
                }
                let joined = match &piece.bytes {
                    Some(arr) => {
                        let bytes = arr.to_vec();
                        ENGINE.with(|e| e.borrow_mut().adopt_encoded(&bytes)).is_ok()
                    }
                    None => false,
                };
                drop(piece.bytes);
                if joined {
                    PARTS_JOINED.with(|n| n.set(n.get() + 1));
                    report(&mut progress, piece.end);
                } else {
                    PARTS_REREAD.with(|n| n.set(n.get() + 1));
                    feed_prefetched(blob, path, piece.start, piece.end, &mut progress).await?;
                }
                at = piece.end;
            }
            h.stop();
            if at < total {
                feed_prefetched(blob, path, at, total, &mut progress).await?;
            }
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
    let mut slices = Prefetch::new(blob, path, from, to);
    while let Some((at, buf)) = slices.next().await? {
        ENGINE.with(|e| e.borrow_mut().feed(buf));
        report(progress, at + buf.len() as f64);
    }
    Ok(())
}

/// The slices of `[from, to)` of a file in order, the next one always
/// being read (by the browser, on its own threads) while the caller works
/// on the current one.
struct Prefetch<'a> {
    blob: &'a Blob,
    path: &'a str,
    at: f64,
    to: f64,
    pending: Option<wasm_bindgen_futures::JsFuture>,
    buf: Vec<u8>,
}

impl<'a> Prefetch<'a> {
    fn new(blob: &'a Blob, path: &'a str, from: f64, to: f64) -> Prefetch<'a> {
        let mut p = Prefetch { blob, path, at: from, to, pending: None, buf: Vec::new() };
        p.pending = p.start(from);
        p
    }

    fn start(&self, a: f64) -> Option<wasm_bindgen_futures::JsFuture> {
        if a >= self.to {
            return None;
        }
        // A slice that cannot be made fails when awaited (below).
        let read = match self.blob.slice_with_f64_and_f64(a, (a + CHUNK).min(self.to)) {
            Ok(slice) => slice.array_buffer(),
            Err(e) => js_sys::Promise::reject(&e),
        };
        Some(wasm_bindgen_futures::JsFuture::from(read))
    }

    /// The next slice and where it starts, `None` after the last.
    async fn next(&mut self) -> Result<Option<(f64, &[u8])>, String> {
        let Some(read) = self.pending.take() else { return Ok(None) };
        let ab = read.await.map_err(|e| format!("{} could not be read: {e:?}", self.path))?;
        let at = self.at;
        self.at = (at + CHUNK).min(self.to);
        self.pending = self.start(self.at);
        let arr = Uint8Array::new(&ab);
        self.buf.resize(arr.length() as usize, 0);
        arr.copy_to(&mut self.buf);
        Ok(Some((at, &self.buf)))
    }
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

/// A piece of a file as a helper read it: `[start, end)` and its records in
/// byte form, or `None` when the helper could not read it.
struct Piece {
    start: f64,
    end: f64,
    bytes: Option<Uint8Array>,
}

/// What a helper has sent and not yet been taken.
#[derive(Default)]
struct Inbox {
    pieces: std::collections::VecDeque<Piece>,
    /// The helper has sent its last piece, failed or stopped.
    done: bool,
    /// Resolves the promise [`Helper::next`] waits on.
    wake: Option<js_sys::Function>,
}

impl Inbox {
    fn wake(&mut self) {
        if let Some(f) = self.wake.take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }
}

/// A helper worker reading the second part of a file in pieces.
struct Helper {
    worker: web_sys::Worker,
    /// Where its part starts.
    start: f64,
    inbox: std::rc::Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Helper {
    /// Starts a helper for the bytes after the first line break past the
    /// middle of what is left of the file; `None` when the file is too
    /// small to gain from it or no worker can start here.
    fn start(
        reader: &FileReaderSync,
        path: &str,
        blob: &Blob,
        header_bytes: u64,
        at: f64,
        total: f64,
        split: Split,
    ) -> Option<Helper> {
        if total - at < 2.0 * split.min_part {
            return None;
        }
        let guess = (at + (total - at) / 2.0).floor();
        let mut buf = Vec::new();
        read_slice(reader, blob, path, guess, (guess + 1024.0 * 1024.0).min(total), &mut buf).ok()?;
        let start = guess + buf.iter().position(|&b| b == b'\n')? as f64 + 1.0;
        if total - start < split.min_part {
            return None;
        }
        let worker = web_sys::Worker::new("./worker_loader.js").ok()?;
        let request = ToWorker::ReadPart {
            path: path.to_string(),
            header_bytes,
            start: start as u64,
            end: total as u64,
            last: true,
            piece: split.piece as u64,
        };
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        let request = serde::Serialize::serialize(&request, &serializer).ok()?;
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"msg".into(), &request);
        let _ = Reflect::set(&envelope, &"blobs".into(), &Array::of1(blob));
        let inbox = std::rc::Rc::new(RefCell::new(Inbox::default()));
        let (w, ib) = (worker.clone(), inbox.clone());
        let sent = std::rc::Rc::new(std::cell::Cell::new(false));
        // The helper says Ready once its wasm is loaded (a message sent before
        // would be lost), then sends {piece, start, end} per piece and
        // {done: true} after the last.
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let num = |k: &str| Reflect::get(&data, &k.into()).ok().and_then(|v| v.as_f64());
            let mut inbox = ib.borrow_mut();
            if let (Some(start), Some(end)) = (num("start"), num("end")) {
                let bytes = Reflect::get(&data, &"piece".into()).ok().and_then(|v| v.dyn_into::<Uint8Array>().ok());
                inbox.pieces.push_back(Piece { start, end, bytes });
                inbox.wake();
            } else if Reflect::get(&data, &"done".into()).ok().is_some_and(|v| v.is_truthy()) {
                inbox.done = true;
                inbox.wake();
            } else if !sent.get() {
                sent.set(true);
                let _ = w.post_message(&envelope);
            }
        });
        let ib = inbox.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let mut inbox = ib.borrow_mut();
            inbox.done = true;
            inbox.wake();
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Helper { worker, start, inbox, _on_message: on_message, _on_error: on_error })
    }

    /// The next piece the helper sent, waiting for it; `None` once the
    /// helper has finished (or failed: what it did not send is read here).
    async fn next(&self) -> Option<Piece> {
        loop {
            let wait = {
                let mut inbox = self.inbox.borrow_mut();
                if let Some(p) = inbox.pieces.pop_front() {
                    return Some(p);
                }
                if inbox.done {
                    return None;
                }
                js_sys::Promise::new(&mut |resolve, _| inbox.wake = Some(resolve))
            };
            let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
        }
    }

    /// Stops the helper: its memory goes back to the browser.
    fn stop(self) {
        drop(self);
    }
}

impl Drop for Helper {
    /// Whenever reading ends (finished, failed or given up), the helper is
    /// stopped before its message handlers go away.
    fn drop(&mut self) {
        self.worker.terminate();
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
    }
}

/// In a helper worker: reads `[start, end)` of the file after its header,
/// in pieces of about `piece` bytes cut after a line break, and posts each
/// piece's records in byte form as soon as it is read (`{piece, start,
/// end}`; `piece: null` if it could not be read), then `{done: true}`.
fn read_part(path: &str, blob: Option<&Blob>, header_bytes: u64, start: u64, end: u64, last: bool, piece: f64) {
    let (path, blob) = (path.to_string(), blob.cloned());
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(blob) = blob {
            read_pieces(&path, &blob, header_bytes, start as f64, end as f64, last, piece.max(1.0)).await;
        }
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"done".into(), &JsValue::TRUE);
        let _ = scope().post_message(&envelope);
    });
}

async fn read_pieces(path: &str, blob: &Blob, header_bytes: u64, start: f64, end: f64, last: bool, piece: f64) {
    let send = |from: f64, to: f64, part: Option<&entrascope_analysis::Part>| {
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"start".into(), &JsValue::from_f64(from));
        let _ = Reflect::set(&envelope, &"end".into(), &JsValue::from_f64(to));
        match part {
            Some(part) => {
                let bytes = part.encode();
                let arr = Uint8Array::from(bytes.as_slice());
                drop(bytes);
                let _ = Reflect::set(&envelope, &"piece".into(), &arr);
                let _ = scope().post_message_with_transfer(&envelope, &Array::of1(&arr.buffer()));
            }
            None => {
                let _ = Reflect::set(&envelope, &"piece".into(), &JsValue::NULL);
                let _ = scope().post_message(&envelope);
            }
        }
    };
    let Ok(reader) = FileReaderSync::new() else { return send(start, end, None) };
    let mut header = Vec::new();
    if read_slice(&reader, blob, path, 0.0, header_bytes as f64, &mut header).is_err() {
        return send(start, end, None);
    }
    let new_part = |from: f64| {
        let mut part = entrascope_analysis::Part::new(path, &header);
        part.expect_bytes(header_bytes + (piece + CHUNK).min(end - from) as u64);
        part
    };
    let mut part = new_part(start);
    let mut piece_start = start;
    let mut slices = Prefetch::new(blob, path, start, end);
    loop {
        let (at, buf) = match slices.next().await {
            Ok(Some(s)) => s,
            Ok(None) => break,
            Err(_) => return send(piece_start, end, None),
        };
        let to = at + buf.len() as f64;
        // A piece ends after the last line break of the slice that takes it
        // past `piece` bytes; the part is joined only if that is a record
        // boundary (else the piece is read again by the other worker).
        let cut = if to - piece_start >= piece && to < end { buf.iter().rposition(|&b| b == b'\n') } else { None };
        match cut {
            Some(pos) => {
                part.feed(&buf[..=pos]);
                part.finish(false);
                let boundary = at + pos as f64 + 1.0;
                send(piece_start, boundary, Some(&part));
                part = new_part(boundary);
                part.feed(&buf[pos + 1..]);
                piece_start = boundary;
            }
            None => part.feed(&buf),
        }
    }
    part.finish(last);
    send(piece_start, end, Some(&part));
}
