//! Renders [`crate::markdown`] blocks as DOM nodes. Every string becomes a
//! text node, so documentation can never inject markup.

use yew::prelude::*;

use crate::markdown::{parse, Block, Inline};

#[derive(Properties, PartialEq)]
pub struct MarkdownProps {
    pub source: AttrValue,
    /// Headings in the document start at this level (`##` becomes `h{base}`).
    #[prop_or(3)]
    pub base: u8,
}

#[function_component(Markdown)]
pub fn markdown(props: &MarkdownProps) -> Html {
    let blocks = use_memo(props.source.clone(), |s| parse(s));
    let base = props.base;
    html! { <div class="markdown">{ for blocks.iter().map(|b| block(b, base)) }</div> }
}

fn block(b: &Block, base: u8) -> Html {
    match b {
        Block::Heading(level, content) => {
            // `#` and `##` both map to the base level; deeper ones follow.
            let l = (base + level.saturating_sub(2)).clamp(2, 6);
            let tag = format!("h{l}");
            html! { <@{tag}>{ inlines(content) }</@> }
        }
        Block::Paragraph(content) => html! { <p>{ inlines(content) }</p> },
        Block::List { ordered: true, items } => html! { <ol>{ for items.iter().map(|i| html!{ <li>{ inlines(i) }</li> }) }</ol> },
        Block::List { ordered: false, items } => {
            html! { <ul>{ for items.iter().map(|i| html!{ <li>{ inlines(i) }</li> }) }</ul> }
        }
        Block::Code(code) => html! { <pre><code>{ code }</code></pre> },
    }
}

fn inlines(items: &[Inline]) -> Html {
    html! {
        { for items.iter().map(|i| match i {
            Inline::Text(t) => html! { { t } },
            Inline::Code(c) => html! { <code>{ c }</code> },
            Inline::Strong(s) => html! { <strong>{ s }</strong> },
            Inline::Emphasis(s) => html! { <em>{ s }</em> },
            Inline::Link { text, href } => html! {
                <a href={href.clone()} target="_blank" rel="noopener noreferrer external">{ text }</a>
            },
        }) }
    }
}
