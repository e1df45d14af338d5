//! The UI side of the worker: starts it, posts [`ToWorker`] messages with
//! their `Blob`s, and turns answers into reducer actions.
//!
//! Cancelling terminates the worker (the only way to stop a synchronous
//! parse mid-file) and starts a fresh one; nothing read is kept.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};
use yew::prelude::*;

use super::state::{Action, State};
use crate::protocol::{FromWorker, ToWorker};

/// The worker's loader script, next to index.html (relative, so the app
/// works from any sub-path).
const WORKER_URL: &str = "./worker_loader.js";

#[derive(Clone)]
pub struct Bridge {
    inner: Rc<RefCell<Option<Live>>>,
    /// A second worker, loaded and idle, that takes over on cancel: the app
    /// keeps working offline, where loading a new worker would fail.
    spare: Rc<RefCell<Option<Live>>>,
    dispatch: UseReducerDispatcher<State>,
}

struct Live {
    worker: Worker,
    /// Messages posted before the worker said `Ready` (a message that arrives
    /// while its wasm is still loading would be lost).
    pending: Rc<RefCell<Option<Vec<JsValue>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Bridge {
    pub fn new(dispatch: UseReducerDispatcher<State>) -> Bridge {
        let bridge = Bridge { inner: Rc::new(RefCell::new(None)), spare: Rc::new(RefCell::new(None)), dispatch };
        *bridge.inner.borrow_mut() = bridge.spawn();
        *bridge.spare.borrow_mut() = bridge.spawn();
        bridge
    }

    fn spawn(&self) -> Option<Live> {
        let dispatch = self.dispatch.clone();
        let worker = match Worker::new(&worker_url()) {
            Ok(w) => w,
            Err(e) => {
                dispatch.dispatch(Action::Failed(format!("The analysis worker could not start: {e:?}")));
                return None;
            }
        };
        let d = dispatch.clone();
        let pending: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let queue = pending.clone();
        let w = worker.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let msg = Reflect::get(&data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
            let blob = Reflect::get(&data, &"blob".into()).ok().and_then(|b| b.dyn_into::<Blob>().ok());
            match serde_wasm_bindgen::from_value::<FromWorker>(msg) {
                Ok(FromWorker::Ready) => {
                    if let Some(q) = queue.borrow_mut().take() {
                        for m in q {
                            let _ = w.post_message(&m);
                        }
                    }
                }
                Ok(msg) => {
                    if let (FromWorker::Export { filename, .. }, Some(blob)) = (&msg, blob.as_ref()) {
                        download(blob, filename);
                    }
                    d.dispatch(Action::Worker(msg));
                }
                Err(e) => d.dispatch(Action::Failed(format!("Unreadable message from the worker: {e}"))),
            }
        });
        let d = dispatch.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let text = Reflect::get(&ev, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
            d.dispatch(Action::Failed(format!(
                "The analysis stopped unexpectedly{}. Try again, or with fewer files.",
                if text.is_empty() { String::new() } else { format!(": {text}") }
            )));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Live { worker, pending, _on_message: on_message, _on_error: on_error })
    }

    /// Posts a message with optional blobs beside it.
    pub fn post(&self, msg: &ToWorker, blobs: &[Blob]) {
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        let value = match serde::Serialize::serialize(msg, &serializer) {
            Ok(v) => v,
            Err(e) => {
                self.dispatch.dispatch(Action::Failed(format!("Could not send to the worker: {e}")));
                return;
            }
        };
        let envelope = Object::new();
        let _ = Reflect::set(&envelope, &"msg".into(), &value);
        let arr = Array::new();
        for b in blobs {
            arr.push(b);
        }
        let _ = Reflect::set(&envelope, &"blobs".into(), &arr);
        if let Some(live) = self.inner.borrow().as_ref() {
            if let Some(q) = live.pending.borrow_mut().as_mut() {
                q.push(envelope.into());
                return;
            }
            if let Err(e) = live.worker.post_message(&envelope) {
                self.dispatch.dispatch(Action::Failed(format!("Could not send to the worker: {e:?}")));
            }
        }
    }

    /// Stops whatever the worker is doing and starts a fresh one.
    pub fn restart(&self) {
        if let Some(live) = self.inner.borrow_mut().take() {
            live.worker.terminate();
        }
        let next = self.spare.borrow_mut().take().or_else(|| self.spawn());
        *self.inner.borrow_mut() = next;
        *self.spare.borrow_mut() = self.spawn();
    }
}

/// Saves a blob through a temporary `blob:` URL (same origin, nothing leaves).
pub fn download(blob: &Blob, filename: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(filename);
        a.set_hidden(true);
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
            a.click();
            let _ = body.remove_child(&a);
        }
    }
    // Revoke later: the download needs the URL a little after the click.
    let cb = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 60_000);
    }
}

/// The worker's address. A `split=` parameter in the page's address (a knob
/// for tests and benchmarks, see `worker::Split`) is passed on to it.
fn worker_url() -> String {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    match search.trim_start_matches('?').split('&').find(|p| p.starts_with("split=")) {
        Some(p) => format!("{WORKER_URL}?{p}"),
        None => WORKER_URL.to_string(),
    }
}
