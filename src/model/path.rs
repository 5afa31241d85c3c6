//! Paths into values: member, list index and map key segments, with the text forms reports and AWS messages use.

use std::fmt;

use super::value::Value;

/// One step into a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A structure or union member, by member name.
    Member(String),
    /// A list item, 0-based.
    Index(usize),
    /// A map entry, by key.
    Key(String),
}

/// A path from the top of an input (or output) down to one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<Segment>);

impl Path {
    /// The empty path: the input itself.
    pub fn root() -> Self {
        Path(Vec::new())
    }

    /// A path of member names (`["AlternateContact", "Name"]`).
    pub fn members<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Path(
            names
                .into_iter()
                .map(|n| Segment::Member(n.into()))
                .collect(),
        )
    }

    /// Parses the display form (`A.B[2].C{key}`); keys may not hold `}`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                out.push(Segment::Index(r[..end].parse().ok()?));
                rest = &r[end + 1..];
            } else if let Some(r) = rest.strip_prefix('{') {
                let end = r.find('}')?;
                out.push(Segment::Key(r[..end].to_string()));
                rest = &r[end + 1..];
            } else {
                let r = rest.strip_prefix('.').unwrap_or(rest);
                let end = r.find(['.', '[', '{']).unwrap_or(r.len());
                if end == 0 {
                    return None;
                }
                out.push(Segment::Member(r[..end].to_string()));
                rest = &r[end..];
            }
        }
        Some(Path(out))
    }

    /// Parses the site form ([`Path::site`]: `Items[].Name{}`) into a path with index 0 and empty keys, whose
    /// site form is the text again.
    pub fn parse_site(text: &str) -> Option<Self> {
        Path::parse(&text.replace("[]", "[0]"))
    }

    /// This path with one more segment.
    pub fn child(&self, segment: Segment) -> Self {
        let mut p = self.clone();
        p.0.push(segment);
        p
    }

    /// This path with one more member.
    pub fn member(&self, name: &str) -> Self {
        self.child(Segment::Member(name.to_string()))
    }

    /// Whether this is the input itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last member name on the path.
    pub fn last_member(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Segment::Member(m) => Some(m.as_str()),
            _ => None,
        })
    }

    /// The form baselines key on: indices and keys erased (`Items[].Name`), so that the same site in another list
    /// item is the same kind of deviation. For paths of members only, it is the dotted path as before.
    pub fn site(&self) -> String {
        let mut out = String::new();
        for s in &self.0 {
            match s {
                Segment::Member(m) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(m);
                }
                Segment::Index(_) => out.push_str("[]"),
                Segment::Key(_) => out.push_str("{}"),
            }
        }
        out
    }

    /// Coral's form in validation messages: lowerCamel members joined by `.`, list items as `<list>.<1-based
    /// index>.member` and map values as `<map>.<key>.member` (`keySchema.1.member.attributeName`).
    pub fn coral(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for s in &self.0 {
            match s {
                Segment::Member(m) => {
                    let mut chars = m.chars();
                    let lower = match chars.next() {
                        Some(c) => c.to_lowercase().chain(chars).collect(),
                        None => String::new(),
                    };
                    parts.push(lower);
                }
                Segment::Index(i) => {
                    parts.push((i + 1).to_string());
                    parts.push("member".into());
                }
                Segment::Key(k) => {
                    parts.push(k.clone());
                    parts.push("member".into());
                }
            }
        }
        // A trailing `member` after the last index says nothing more: `tags.1` rather than `tags.1.member`.
        if parts.last().is_some_and(|p| p == "member")
            && matches!(self.0.last(), Some(Segment::Index(_) | Segment::Key(_)))
        {
            parts.pop();
        }
        parts.join(".")
    }

    /// The value at this path, if there is one.
    pub fn get<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        let mut here = value;
        for s in &self.0 {
            here = match (s, here) {
                (Segment::Member(m), Value::Structure(map)) => map.get(m)?,
                (Segment::Key(k), Value::Map(map)) => map.get(k)?,
                (Segment::Index(i), Value::List(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(here)
    }

    /// The value at this path, mutably.
    pub fn get_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value> {
        let mut here = value;
        for s in &self.0 {
            here = match (s, here) {
                (Segment::Member(m), Value::Structure(map)) => map.get_mut(m)?,
                (Segment::Key(k), Value::Map(map)) => map.get_mut(k)?,
                (Segment::Index(i), Value::List(items)) => items.get_mut(*i)?,
                _ => return None,
            };
        }
        Some(here)
    }

    /// Puts `new` at this path (replacing what is there, or adding the member or key); false when a parent is
    /// missing or of another kind.
    pub fn set(&self, value: &mut Value, new: Value) -> bool {
        let Some((last, parents)) = self.0.split_last() else {
            *value = new;
            return true;
        };
        let Some(parent) = Path(parents.to_vec()).get_mut(value) else {
            return false;
        };
        match (last, parent) {
            (Segment::Member(m), Value::Structure(map)) => {
                map.insert(m.clone(), new);
                true
            }
            (Segment::Key(k), Value::Map(map)) => {
                map.insert(k.clone(), new);
                true
            }
            (Segment::Index(i), Value::List(items)) if *i < items.len() => {
                items[*i] = new;
                true
            }
            _ => false,
        }
    }

    /// Removes the value at this path; what was there, if anything.
    pub fn remove(&self, value: &mut Value) -> Option<Value> {
        let (last, parents) = self.0.split_last()?;
        let parent = Path(parents.to_vec()).get_mut(value)?;
        match (last, parent) {
            (Segment::Member(m), Value::Structure(map)) => map.shift_remove(m),
            (Segment::Key(k), Value::Map(map)) => map.shift_remove(k),
            (Segment::Index(i), Value::List(items)) if *i < items.len() => Some(items.remove(*i)),
            _ => None,
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Member(m) if i == 0 => write!(f, "{m}")?,
                Segment::Member(m) => write!(f, ".{m}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Key(k) => write!(f, "{{{k}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    #[test]
    fn display_and_parse_round_trip() {
        let p = Path(vec![
            Segment::Member("KeySchema".into()),
            Segment::Index(0),
            Segment::Member("AttributeName".into()),
            Segment::Key("k".into()),
        ]);
        assert_eq!(p.to_string(), "KeySchema[0].AttributeName{k}");
        assert_eq!(Path::parse(&p.to_string()), Some(p.clone()));
        assert_eq!(p.site(), "KeySchema[].AttributeName{}");
        assert_eq!(Path::members(["A", "B"]).site(), "A.B");
    }

    #[test]
    fn coral_paths_are_lower_camel_with_one_based_items() {
        let p = Path(vec![
            Segment::Member("KeySchema".into()),
            Segment::Index(0),
            Segment::Member("AttributeName".into()),
        ]);
        assert_eq!(p.coral(), "keySchema.1.member.attributeName");
        assert_eq!(Path::members(["TableName"]).coral(), "tableName");
    }

    #[test]
    fn set_get_and_remove_at_depth() {
        let mut inner = IndexMap::new();
        inner.insert("Name".to_string(), Value::string("a"));
        let mut top = IndexMap::new();
        top.insert(
            "Items".to_string(),
            Value::List(vec![Value::Structure(inner)]),
        );
        let mut v = Value::Structure(top);
        let p = Path::parse("Items[0].Name").unwrap();
        assert_eq!(p.get(&v), Some(&Value::string("a")));
        assert!(p.set(&mut v, Value::string("b")));
        assert_eq!(p.get(&v), Some(&Value::string("b")));
        assert_eq!(p.remove(&mut v), Some(Value::string("b")));
        assert_eq!(p.get(&v), None);
        assert!(
            !Path::parse("Items[3].Name")
                .unwrap()
                .set(&mut v, Value::Null)
        );
    }
}
