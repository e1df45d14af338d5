//! Exports (journey 2: hand over a report). The worker renders each format
//! with the analysis crate's renderers and answers with a `Blob`, saved
//! through a same-origin `blob:` URL.

use yew::prelude::*;

use super::Ctx;
use crate::protocol::{ExportFormat, ToWorker};

#[function_component(Exports)]
pub fn exports() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    html! {
        <section class="exports" aria-labelledby="export-title">
            <h1 id="export-title">{"Export the report"}</h1>
            <p class="lead">{"Files are made here and saved by your browser; nothing is uploaded. Values from the logs are escaped in HTML and neutralized in CSV."}</p>
            <ul class="export-list">
                { for ExportFormat::ALL.iter().map(|f| {
                    let ctx = ctx.clone();
                    let format = *f;
                    let onclick = Callback::from(move |_| ctx.bridge.post(&ToWorker::Export { format }, &[]));
                    html! {
                        <li class="card">
                            <h2>{ f.label() }</h2>
                            <p>{ f.describe() }</p>
                            <button type="button" class="button primary" {onclick} data-export={f.filename()}
                                aria-label={format!("Save {}", f.filename())}>
                                { format!("Save {}", f.label()) }
                            </button>
                            <p class="muted small">{ f.filename() }</p>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
