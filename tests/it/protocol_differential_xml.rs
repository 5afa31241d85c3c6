//! XML bodies compared as trees for the restXml differential: element names as written (prefixes kept), attributes
//! as a set (namespace declarations included), text, and children in order. An XML declaration, and whitespace
//! between elements, are no part of the tree.

use std::collections::BTreeMap;

use quick_xml::events::Event;

/// An element as written.
#[derive(Debug, PartialEq)]
pub(super) struct Node {
    name: String,
    attributes: BTreeMap<String, String>,
    children: Vec<Node>,
    text: String,
}

fn open(start: &quick_xml::events::BytesStart<'_>) -> Option<Node> {
    let mut attributes = BTreeMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.ok()?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?;
        attributes.insert(
            String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
            value.into_owned(),
        );
    }
    Some(Node {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

/// The document's root element; `None` when the body is no well-formed XML document.
pub(super) fn parse(body: &[u8]) -> Option<Node> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.trim_start().starts_with('<') {
        return None;
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => stack.push(open(&start)?),
            Event::Empty(start) => {
                let node = open(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let node = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content().ok()?);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.decode().ok()?);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().ok()? {
                    Some(c) => c.to_string(),
                    None => match r.decode().ok()?.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => return None,
                    },
                };
                stack.last_mut()?.text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.is_empty() { root } else { None }
}

/// Whether two trees are the same, texts compared by `same_text` (timestamps as instants); the first difference
/// otherwise, with the path of element names to it.
pub(super) fn difference(
    ours: &Node,
    theirs: &Node,
    same_text: &dyn Fn(&str, &str) -> bool,
    at: &str,
) -> Option<String> {
    let here = format!("{at}/{}", ours.name);
    if ours.name != theirs.name {
        return Some(format!(
            "{at}: element <{}> against <{}>",
            ours.name, theirs.name
        ));
    }
    let same_attributes = ours.attributes.len() == theirs.attributes.len()
        && ours
            .attributes
            .iter()
            .all(|(k, v)| theirs.attributes.get(k).is_some_and(|w| same_text(v, w)));
    if !same_attributes {
        return Some(format!(
            "{here}: attributes {:?} against {:?}",
            ours.attributes, theirs.attributes
        ));
    }
    // Whitespace between child elements is layout, not content.
    let text = |n: &Node| {
        if n.children.is_empty() {
            n.text.clone()
        } else {
            n.text.trim().to_string()
        }
    };
    if !same_text(&text(ours), &text(theirs)) {
        return Some(format!(
            "{here}: text {:?} against {:?}",
            ours.text, theirs.text
        ));
    }
    if ours.children.len() != theirs.children.len() {
        let names = |n: &Node| {
            n.children
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        };
        return Some(format!(
            "{here}: children {:?} against {:?}",
            names(ours),
            names(theirs)
        ));
    }
    ours.children
        .iter()
        .zip(&theirs.children)
        .find_map(|(a, b)| difference(a, b, same_text, &here))
}

/// What an XML body exercises, for the coverage figures: `xmlns` declarations (prefixed or not), other attributes,
/// repeated sibling names (flattened lists, list items), map entries.
pub(super) fn features(root: &Node) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut walk = vec![root];
    while let Some(node) = walk.pop() {
        for name in node.attributes.keys() {
            out.push(match name.as_str() {
                "xmlns" => "XML namespaces",
                n if n.starts_with("xmlns:") => "XML prefixed namespaces",
                _ => "XML attributes",
            });
        }
        if node.name == "entry" {
            out.push("XML map entries");
        }
        let names: Vec<&str> = node.children.iter().map(|c| c.name.as_str()).collect();
        if names
            .iter()
            .enumerate()
            .any(|(i, n)| names[..i].contains(n))
        {
            out.push("XML repeated elements");
        }
        walk.extend(&node.children);
    }
    out.sort_unstable();
    out.dedup();
    out
}
