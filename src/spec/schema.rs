//! The spec file schema as the loader's serde structs declare it: tables, their keys, types and which are required.
//!
//! Read by walking `RawFile`'s own `Deserialize` implementation with a deserializer that answers every request with a
//! placeholder and records what was asked for, so that the reference cannot name a key the loader does not read.

use std::cell::RefCell;
use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::raw::RawFile;

/// The name toml's `Spanned` gives itself to deserializers: a wrapper, not a table of the file.
const SPANNED: &str = "$__serde_spanned_private_Spanned";
/// `Spanned`'s value key; its other keys are the span's offsets.
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";

/// Every table of a spec file, keyed by the name of the struct that reads it, in the order the walk meets them.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    pub tables: IndexMap<&'static str, TableSchema>,
}

/// One struct of the loader: where it appears in a file and its keys.
#[derive(Debug, Default)]
pub(crate) struct TableSchema {
    /// TOML table headers where it appears (`[[operation.input]]`), in walk order; `""` is the top level.
    pub paths: Vec<String>,
    pub keys: IndexMap<&'static str, KeySchema>,
}

/// One key as serde reads it.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeySchema {
    /// TOML type in words (`string`, `array of tables`).
    pub kind: String,
    /// Whether a file that leaves the key out fails to load.
    pub required: bool,
}

/// The schema of spec files, read from the loader's structs.
pub(crate) fn schema() -> Schema {
    let recorder = RefCell::new(Schema::default());
    walk(&recorder, None).expect("the full walk of the spec schema succeeds");
    let mut schema = recorder.into_inner();
    // A key is required exactly when leaving it out (everything else present) fails deserialization.
    let all: Vec<(&'static str, &'static str)> = schema
        .tables
        .iter()
        .flat_map(|(table, t)| t.keys.keys().map(move |key| (*table, *key)))
        .collect();
    for (table, key) in all {
        let scratch = RefCell::new(Schema::default());
        let required = walk(&scratch, Some((table, key))).is_err();
        schema.tables[table].keys[key].required = required;
    }
    schema
}

fn walk(recorder: &RefCell<Schema>, omit: Option<(&str, &str)>) -> Result<(), WalkError> {
    let walker = Walker {
        recorder,
        omit,
        path: String::new(),
        array: false,
        ancestors: Vec::new(),
        slot: None,
        containers: Vec::new(),
    };
    RawFile::deserialize(walker).map(drop)
}

#[derive(Debug)]
struct WalkError {
    message: String,
    /// A struct met again inside itself (a structure's members): the walk stops there.
    recursion: bool,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WalkError {}

impl de::Error for WalkError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        WalkError {
            message: msg.to_string(),
            recursion: false,
        }
    }
}

/// Answers one value's deserialization with a placeholder, recording the key's type and the tables it reaches.
#[derive(Clone)]
struct Walker<'r> {
    recorder: &'r RefCell<Schema>,
    omit: Option<(&'r str, &'r str)>,
    /// Dotted table path of the value.
    path: String,
    /// Whether the value is an element of an array (`[[path]]` rather than `[path]`).
    array: bool,
    /// Structs being walked, outermost first.
    ancestors: Vec<&'static str>,
    /// The key whose type this value decides: (struct, key).
    slot: Option<(&'static str, &'static str)>,
    /// The arrays and tables around the value, within its key (`array`, `table`).
    containers: Vec<&'static str>,
}

impl Walker<'_> {
    /// Records the key's type once its innermost value is reached.
    fn terminal(&self, singular: &str, plural: &str) {
        let Some((table, key)) = self.slot else {
            return;
        };
        let mut kind = String::new();
        for (i, container) in self.containers.iter().enumerate() {
            kind.push_str(container);
            if i > 0 {
                kind.push('s');
            }
            kind.push_str(" of ");
        }
        kind.push_str(if self.containers.is_empty() {
            singular
        } else {
            plural
        });
        let mut recorder = self.recorder.borrow_mut();
        let entry = recorder
            .tables
            .entry(table)
            .or_default()
            .keys
            .entry(key)
            .or_default();
        if entry.kind.is_empty() {
            entry.kind = kind;
        }
    }

    fn inside(&self, container: &'static str) -> Self {
        let mut inner = self.clone();
        inner.containers.push(container);
        inner
    }

    fn header(&self) -> String {
        if self.array {
            format!("[[{}]]", self.path)
        } else if self.path.is_empty() {
            String::new()
        } else {
            format!("[{}]", self.path)
        }
    }
}

impl<'de> de::Deserializer<'de> for Walker<'_> {
    type Error = WalkError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        // Only free-form values (example inputs, assertion values) ask for anything.
        self.terminal("any value", "values");
        visitor.visit_str("")
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.terminal("boolean", "booleans");
        visitor.visit_bool(false)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.terminal("integer", "integers");
        visitor.visit_u64(0)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.terminal("integer", "integers");
        visitor.visit_u64(0)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.terminal("integer", "integers");
        visitor.visit_i64(0)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.terminal("string", "strings");
        visitor.visit_str("")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        let mut element = self.inside("array");
        element.array = true;
        visitor.visit_seq(OneElement(Some(element)))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        let mut value = self.inside("table");
        value.path = dotted(&self.path, "<name>");
        value.array = false;
        visitor.visit_map(Entries {
            keys: vec![("<name>", value)],
            next_value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        if name == SPANNED {
            let mut keys = Vec::new();
            for field in fields {
                let mut value = self.clone();
                if *field != SPANNED_VALUE {
                    value.slot = None;
                }
                keys.push((*field, value));
            }
            return visitor.visit_map(Entries {
                keys,
                next_value: None,
            });
        }
        self.terminal("table", "tables");
        {
            let mut recorder = self.recorder.borrow_mut();
            let table = recorder.tables.entry(name).or_default();
            let header = self.header();
            if !table.paths.contains(&header) {
                table.paths.push(header);
            }
            for field in fields {
                table.keys.entry(field).or_default();
            }
        }
        if self.ancestors.contains(&name) {
            return Err(WalkError {
                message: format!("`{name}` inside itself"),
                recursion: true,
            });
        }
        let mut keys = Vec::new();
        for field in fields {
            if self.omit == Some((name, field)) {
                continue;
            }
            let mut value = self.clone();
            value.path = dotted(&self.path, field);
            value.array = false;
            value.ancestors.push(name);
            value.slot = Some((name, field));
            value.containers.clear();
            keys.push((*field, value));
        }
        visitor.visit_map(Entries {
            keys,
            next_value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u32 u128 f32 f64 char bytes byte_buf unit unit_struct newtype_struct tuple
        tuple_struct enum identifier ignored_any
    }
}

fn dotted(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// An array of one element; none where the element is a struct inside itself.
struct OneElement<'r>(Option<Walker<'r>>);

impl<'de> SeqAccess<'de> for OneElement<'_> {
    type Error = WalkError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, WalkError> {
        let Some(element) = self.0.take() else {
            return Ok(None);
        };
        match seed.deserialize(element) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.recursion => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A table's keys, each answered by its own walker.
struct Entries<'r> {
    keys: Vec<(&'static str, Walker<'r>)>,
    next_value: Option<Walker<'r>>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = WalkError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, WalkError> {
        if self.keys.is_empty() {
            return Ok(None);
        }
        let (key, value) = self.keys.remove(0);
        self.next_value = Some(value);
        seed.deserialize(BorrowedStrDeserializer::<'de, WalkError>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, WalkError> {
        let value = self
            .next_value
            .take()
            .ok_or_else(|| de::Error::custom("a value asked for before its key"))?;
        seed.deserialize(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_every_struct_with_its_keys_types_and_requirement() {
        let schema = schema();
        let service = &schema.tables["RawService"];
        assert_eq!(service.paths, ["[service]"]);
        assert_eq!(service.keys["name"].kind, "string");
        assert!(service.keys["name"].required);
        assert!(!service.keys["target_prefix"].required);
        let member = &schema.tables["RawMember"];
        assert!(member.paths.contains(&"[[operation.input]]".to_string()));
        assert!(member.paths.contains(&"[[shape.member]]".to_string()));
        assert_eq!(member.keys["type"].kind, "string", "serde's renamed key");
        assert_eq!(member.keys["enum"].kind, "array of strings");
        assert_eq!(member.keys["member"].kind, "array of tables");
        assert!(!member.keys["member"].required, "#[serde(default)]");
        let scenario = &schema.tables["RawScenario"];
        assert_eq!(scenario.keys["for_each"].kind, "table of arrays of strings");
        assert_eq!(schema.tables["RawDocument"].paths, ["[documents.<name>]"]);
        assert_eq!(schema.tables["RawError"].keys["status"].kind, "integer");
        assert_eq!(
            schema.tables["RawExample"].keys["input"].kind,
            "table of values"
        );
        assert!(schema.tables["RawExample"].keys["input"].required);
        assert_eq!(
            schema.tables["RawAssertion"].keys["equals"].kind,
            "any value"
        );
        assert!(schema.tables["RawRestore"].keys["read"].required);
        assert!(!schema.tables["RawFile"].keys["snapshots"].required);
    }
}
