//! Choosing inputs: a drop zone (files, folders, `.zip`), file and folder
//! pickers, and the bundled demo tenant. Journey 1 starts here: drop last
//! month's exports, see the verdict.
//!
//! Folders keep their relative paths (a Connect export is a folder). Dropped
//! folders are walked with an explicit stack, never recursion, so a deep
//! tree cannot overflow anything.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DragEvent, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry, HtmlInputElement};
use yew::prelude::*;

use entrascope_core::Settings;

use super::state::{Action, Input};
use super::Ctx;

/// Hidden files and OS clutter that are never exports.
fn skip(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with('.') || name == "Thumbs.db" || name == "desktop.ini" || path.contains("__MACOSX/")
}

fn file_path(f: &File) -> String {
    let rel = Reflect::get(f, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    if rel.is_empty() {
        f.name()
    } else {
        rel
    }
}

fn inputs_from_list(list: Option<web_sys::FileList>) -> Vec<Input> {
    let mut out = Vec::new();
    if let Some(list) = list {
        for i in 0..list.length() {
            if let Some(f) = list.get(i) {
                let path = file_path(&f);
                if !skip(&path) {
                    out.push(Input { path, size: f.size() as u64, blob: f.into() });
                }
            }
        }
    }
    out
}

/// Starts reading `inputs` (added to those already chosen, same path replaced).
pub fn start(ctx: &Ctx, inputs: Vec<Input>, keep_existing: bool) {
    start_with(ctx, inputs, keep_existing, None)
}

/// Starts reading `inputs`; `demo_settings` are the demo tenant's settings,
/// used instead of the user's own (which come back for other files).
fn start_with(ctx: &Ctx, mut inputs: Vec<Input>, keep_existing: bool, demo_settings: Option<Settings>) {
    if inputs.is_empty() {
        ctx.state.dispatch(Action::Notice(Some("No files were found in what was dropped.".into())));
        return;
    }
    if keep_existing {
        let mut all: Vec<Input> = ctx.state.inputs.iter().filter(|e| !inputs.iter().any(|n| n.path == e.path)).cloned().collect();
        all.append(&mut inputs);
        inputs = all;
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let paths = inputs.iter().map(|i| i.path.clone()).collect();
    let blobs: Vec<Blob> = inputs.iter().map(|i| i.blob.clone()).collect();
    // The worker starts a fresh session for every run; if it is still busy
    // with the previous one, stop it (the spare worker takes over).
    if ctx.state.status == super::state::Status::Working {
        ctx.bridge.restart();
    }
    let settings = match (demo_settings, &ctx.state.own_settings) {
        (Some(demo), _) => {
            ctx.state.dispatch(Action::UseSettings { settings: demo.clone(), demo: true });
            demo
        }
        // Other files, not added to the demo: the user's own settings.
        (None, Some(own)) if !keep_existing => {
            ctx.state.dispatch(Action::UseSettings { settings: own.clone(), demo: false });
            own.clone()
        }
        (None, _) => ctx.state.settings.clone(),
    };
    ctx.bridge.post(&crate::protocol::ToWorker::Ingest { paths, settings, now_ms: js_sys::Date::now() as i64 }, &blobs);
    ctx.state.dispatch(Action::Reading(inputs));
}

/// Resolves a callback-style API into a future.
async fn callback_promise(call: impl FnOnce(&Function, &Function)) -> Result<JsValue, JsValue> {
    let mut call = Some(call);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(c) = call.take() {
            c(&resolve, &reject);
        }
    });
    JsFuture::from(promise).await
}

/// Walks dropped entries (files and folders) into inputs with relative paths.
async fn walk(entries: Vec<FileSystemEntry>) -> Vec<Input> {
    let mut out = Vec::new();
    let mut stack = entries;
    while let Some(entry) = stack.pop() {
        if entry.is_file() {
            let fe: FileSystemFileEntry = entry.clone().unchecked_into();
            if let Ok(v) = callback_promise(|ok, err| fe.file_with_callback_and_callback(ok, err)).await {
                if let Ok(file) = v.dyn_into::<File>() {
                    let path = entry.full_path().trim_start_matches('/').to_string();
                    if !skip(&path) {
                        out.push(Input { path, size: file.size() as u64, blob: file.into() });
                    }
                }
            }
        } else if entry.is_directory() {
            let de: FileSystemDirectoryEntry = entry.unchecked_into();
            let reader = de.create_reader();
            // readEntries returns batches (100 in Chromium) until an empty one.
            loop {
                let batch = callback_promise(|ok, err| {
                    let _ = reader.read_entries_with_callback_and_callback(ok, err);
                })
                .await;
                let Ok(batch) = batch else { break };
                let arr: Array = batch.unchecked_into();
                if arr.length() == 0 {
                    break;
                }
                for e in arr.iter() {
                    if let Ok(e) = e.dyn_into::<FileSystemEntry>() {
                        stack.push(e);
                    }
                }
            }
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct DropProps {
    /// Compact form, shown above results to add more files.
    #[prop_or_default]
    pub compact: bool,
}

#[function_component(DropZone)]
pub fn drop_zone(props: &DropProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let over = use_state(|| false);

    let on_files = {
        let ctx = ctx.clone();
        let compact = props.compact;
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let inputs = inputs_from_list(input.files());
            input.set_value("");
            start(&ctx, inputs, compact);
        })
    };
    let ondragover = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(true);
        })
    };
    let ondragleave = {
        let over = over.clone();
        Callback::from(move |_: DragEvent| over.set(false))
    };
    let ondrop = {
        let ctx = ctx.clone();
        let over = over.clone();
        let compact = props.compact;
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            let Some(dt) = e.data_transfer() else { return };
            // Entries must be taken synchronously, inside the drop event.
            let items = dt.items();
            let mut entries = Vec::new();
            for i in 0..items.length() {
                if let Some(item) = items.get(i) {
                    if let Ok(Some(entry)) = item.webkit_get_as_entry() {
                        entries.push(entry);
                    }
                }
            }
            let ctx = ctx.clone();
            if entries.is_empty() {
                start(&ctx, inputs_from_list(dt.files()), compact);
                return;
            }
            ctx.state.dispatch(Action::Notice(Some("Listing the dropped folders…".into())));
            wasm_bindgen_futures::spawn_local(async move {
                let inputs = walk(entries).await;
                start(&ctx, inputs, compact);
            });
        })
    };
    let on_demo = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match load_demo().await {
                    Ok((inputs, settings)) => start_with(&ctx, inputs, false, Some(settings)),
                    Err(e) => ctx.state.dispatch(Action::Failed(format!("The demo could not be loaded: {e}"))),
                }
            });
        })
    };

    let class = classes!("dropzone", (*over).then_some("over"), props.compact.then_some("compact"));
    html! {
        <section {class} {ondragover} {ondragleave} {ondrop} aria-labelledby="drop-title">
            if props.compact {
                <h2 id="drop-title" class="visually-hidden">{"Add files"}</h2>
                <p class="drop-hint">{"Drop more files or folders here to add them, or "}</p>
            } else {
                <h2 id="drop-title">{"Drop your exports here"}</h2>
                <p class="drop-hint">
                    {"Sign-in logs (interactive, non-interactive, service principal, managed identity, AuthDetails), audit logs, "}
                    {"Entra Connect Sync configuration folders, as CSV, JSON or .zip, in any mix. The format is recognized from the content."}
                </p>
            }
            <div class="drop-actions">
                <label class="button primary">
                    {"Choose files"}
                    <input id="file-input" class="visually-hidden" type="file" multiple=true onchange={on_files.clone()} />
                </label>
                <label class="button">
                    {"Choose a folder"}
                    <input id="folder-input" class="visually-hidden" type="file" multiple=true webkitdirectory=true onchange={on_files} />
                </label>
                if !props.compact {
                    <button type="button" class="button" onclick={on_demo} id="demo-button">{"Try the demo"}</button>
                }
            </div>
        </section>
    }
}

/// Fetches the bundled demo tenant: its inputs (`demo/manifest.json` lists
/// them) and its settings (`demo/settings.json`, the contract's settings
/// file; never read as an input).
async fn load_demo() -> Result<(Vec<Input>, Settings), String> {
    let text = blob_text(&fetch_blob("demo/settings.json").await?).await?;
    let settings: Settings = serde_json::from_str(&text).map_err(|e| format!("bad demo settings: {e}"))?;
    let text = blob_text(&fetch_blob("demo/manifest.json").await?).await?;
    let paths: Vec<String> = serde_json::from_str(&text).map_err(|e| format!("bad demo manifest: {e}"))?;
    let mut out = Vec::new();
    for p in paths {
        // Only plain relative paths inside demo/.
        if p.is_empty() || p.starts_with('/') || p.contains("..") || p.contains(':') {
            continue;
        }
        let blob = fetch_blob(&format!("demo/{p}")).await?;
        out.push(Input { path: format!("demo/{p}"), size: blob.size() as u64, blob });
    }
    Ok((out, settings))
}

async fn blob_text(blob: &Blob) -> Result<String, String> {
    Ok(JsFuture::from(blob.text()).await.map_err(|e| format!("{e:?}"))?.as_string().unwrap_or_default())
}

async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{url}: {e:?}"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| format!("{url}: not a response"))?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let blob = JsFuture::from(resp.blob().map_err(|e| format!("{e:?}"))?).await.map_err(|e| format!("{e:?}"))?;
    blob.dyn_into::<Blob>().map_err(|_| format!("{url}: not a blob"))
}
