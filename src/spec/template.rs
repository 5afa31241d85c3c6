//! References in scenario values (`${draw.contact.Name}`): parsing them, and replacing them with values.

use serde_json::{Map, Value};

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `${param.NAME}`: a `for_each` value.
    Param(String),
    /// `${draw.NAME.Path}`: a member of a drawn input (`Path` may be empty: the whole input).
    Draw(String, String),
    /// `${step.NAME.output.Path}`: a member of an earlier step's response body.
    Step(String, String),
    /// `${fixture.KEY}`: a fixture value (`fixture.account.AccountId`).
    Fixture(String),
}

/// Every reference in a text, or an error naming the first malformed one.
pub fn references(text: &str) -> Result<Vec<Reference>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "unclosed reference in `{text}`: a `${{` has no `}}`"
            ));
        };
        out.push(parse(&after[..end])?);
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// A filter after a reference (`${step.other.output.Email|upper}`): the value's letters in one case, for the
/// variants of a value that differ only in case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Upper,
    Lower,
}

impl Filter {
    fn apply(self, value: Value) -> Value {
        match (self, value) {
            (Filter::Upper, Value::String(s)) => Value::String(s.to_uppercase()),
            (Filter::Lower, Value::String(s)) => Value::String(s.to_lowercase()),
            (_, other) => other,
        }
    }
}

/// The reference and its filter, if it has one.
fn split_filter(inner: &str) -> Result<(&str, Option<Filter>), String> {
    match inner.split_once('|') {
        None => Ok((inner, None)),
        Some((reference, "upper")) => Ok((reference, Some(Filter::Upper))),
        Some((reference, "lower")) => Ok((reference, Some(Filter::Lower))),
        Some((_, other)) => Err(format!(
            "unknown filter `|{other}` in `${{{inner}}}`: expected `|upper` or `|lower`"
        )),
    }
}

fn parse(inner: &str) -> Result<Reference, String> {
    let (inner, _) = split_filter(inner)?;
    let (root, path) = inner.split_once('.').unwrap_or((inner, ""));
    let reference = match root {
        "param" if !path.is_empty() => Reference::Param(path.to_string()),
        "fixture" if !path.is_empty() => Reference::Fixture(path.to_string()),
        "draw" if !path.is_empty() => {
            let (name, member) = path.split_once('.').unwrap_or((path, ""));
            Reference::Draw(name.to_string(), member.to_string())
        }
        "step" => match path.split_once(".output") {
            Some((name, member)) if !name.is_empty() => {
                Reference::Step(name.to_string(), member.trim_start_matches('.').to_string())
            }
            _ => {
                return Err(format!(
                    "malformed reference `${{{inner}}}`: expected `${{step.NAME.output.Path}}`"
                ));
            }
        },
        _ => {
            return Err(format!(
                "unknown reference `${{{inner}}}`: expected `${{param.NAME}}`, `${{draw.NAME.Member}}`, \
                 `${{step.NAME.output.Path}}` or `${{fixture.KEY}}`"
            ));
        }
    };
    Ok(reference)
}

/// Every reference anywhere inside a JSON value (strings, nested objects and arrays).
pub fn references_in(value: &Value) -> Result<Vec<Reference>, String> {
    let mut out = Vec::new();
    visit(value, &mut |s| {
        out.extend(references(s)?);
        Ok(())
    })?;
    Ok(out)
}

fn visit(value: &Value, f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().try_for_each(|v| visit(v, f)),
        Value::Object(map) => map.values().try_for_each(|v| visit(v, f)),
        _ => Ok(()),
    }
}

/// Replaces references in `value` using `lookup`; a string that is exactly one reference takes the value whole.
pub fn render(
    value: &Value,
    lookup: &dyn Fn(&Reference) -> Option<Value>,
) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => render_str(s, lookup)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render(v, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(render_map(map, lookup)?),
        other => other.clone(),
    })
}

/// [`render`] over an object's values. A member whose value is exactly one reference to something absent (an
/// optional member the draw left out) is left out too, rather than sent as a broken value.
pub fn render_map(
    map: &Map<String, Value>,
    lookup: &dyn Fn(&Reference) -> Option<Value>,
) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (key, value) in map {
        if let Some(inner) = exact_reference(value)
            && lookup(&parse(inner)?).is_none()
        {
            continue;
        }
        out.insert(key.clone(), render(value, lookup)?);
    }
    Ok(out)
}

fn exact_reference(value: &Value) -> Option<&str> {
    let text = value.as_str()?;
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .filter(|inner| !inner.contains('}'))
}

fn render_str(text: &str, lookup: &dyn Fn(&Reference) -> Option<Value>) -> Result<Value, String> {
    let resolve = |inner: &str| -> Result<Value, String> {
        let reference = parse(inner)?;
        let value =
            lookup(&reference).ok_or_else(|| format!("`${{{inner}}}` has no value here"))?;
        Ok(match split_filter(inner)?.1 {
            Some(filter) => filter.apply(value),
            None => value,
        })
    };
    if let Some(inner) = exact_reference(&Value::String(text.to_string())) {
        return resolve(inner);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed reference in `{text}`"))?;
        match resolve(&after[..end])? {
            Value::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

/// The value at a dotted path in a JSON value (`AlternateContact.Name`); an empty path is the value itself.
pub fn lookup_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, key| match v {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_each_kind_of_reference() {
        assert_eq!(
            references("${param.Type}-${draw.contact.Name}${step.put.output.Status}${fixture.account.AccountId}")
                .unwrap(),
            vec![
                Reference::Param("Type".into()),
                Reference::Draw("contact".into(), "Name".into()),
                Reference::Step("put".into(), "Status".into()),
                Reference::Fixture("account.AccountId".into()),
            ]
        );
        assert!(
            references("${nope.x}")
                .unwrap_err()
                .contains("unknown reference")
        );
        assert!(references("${param.x").unwrap_err().contains("unclosed"));
        assert!(references("${step.put}").unwrap_err().contains("malformed"));
        assert_eq!(
            references("${step.other.output.Email|upper}").unwrap(),
            vec![Reference::Step("other".into(), "Email".into())]
        );
        assert!(
            references("${param.x|title}")
                .unwrap_err()
                .contains("unknown filter")
        );
    }

    #[test]
    fn filters_change_the_letter_case_of_the_value() {
        let lookup = |_: &Reference| Some(Value::String("Mary.Major@Example.com".into()));
        assert_eq!(
            render(&json!("${param.x|upper}"), &lookup).unwrap(),
            json!("MARY.MAJOR@EXAMPLE.COM")
        );
        assert_eq!(
            render(&json!("<${param.x|lower}>"), &lookup).unwrap(),
            json!("<mary.major@example.com>")
        );
    }

    #[test]
    fn renders_whole_values_and_interpolates_inside_strings() {
        let lookup = |r: &Reference| match r {
            Reference::Draw(_, m) if m.is_empty() => Some(json!({"Name": "n"})),
            Reference::Param(_) => Some(json!("BILLING")),
            Reference::Step(_, _) => Some(json!(3)),
            _ => None,
        };
        let value = json!({"a": "${draw.x}", "b": "type ${param.T} #${step.s.output.N}", "c": ["${param.T}"], "d": 1});
        assert_eq!(
            render(&value, &lookup).unwrap(),
            json!({"a": {"Name": "n"}, "b": "type BILLING #3", "c": ["BILLING"], "d": 1})
        );
        assert!(
            render(&json!("${fixture.k}"), &lookup)
                .unwrap_err()
                .contains("has no value")
        );
    }

    #[test]
    fn looks_up_dotted_paths() {
        let v = json!({"A": {"B": [1, {"C": "x"}]}});
        assert_eq!(lookup_path(&v, "A.B.1.C"), Some(&json!("x")));
        assert_eq!(lookup_path(&v, ""), Some(&v));
        assert_eq!(lookup_path(&v, "A.Z"), None);
    }
}
