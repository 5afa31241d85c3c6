//! Fixture values in force for a run: the specs' defaults, overridden by `--fixture KEY=VALUE`.

use indexmap::IndexMap;

use super::model::SpecSet;
use super::validate::check_value;

/// Resolved fixture values, by key (`account.AccountId`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixtures {
    values: IndexMap<String, String>,
    overridden: Vec<String>,
}

impl Fixtures {
    /// The specs' defaults with `overrides` applied; an unknown key or a value that breaks the constraints of a
    /// member using it is an error naming the key and what is allowed.
    pub fn resolve(specs: &SpecSet, overrides: &[(String, String)]) -> Result<Fixtures, String> {
        let mut values: IndexMap<String, String> = specs
            .services
            .values()
            .flat_map(|s| s.fixtures.values())
            .map(|f| (f.key.clone(), f.default.clone()))
            .collect();
        for (key, value) in overrides {
            if !values.contains_key(key) {
                let known: Vec<&str> = values.keys().map(String::as_str).collect();
                return Err(format!(
                    "unknown fixture `{key}`; known fixtures: {}",
                    known.join(", ")
                ));
            }
            for (_, op) in specs.operations() {
                for member in op
                    .input
                    .iter()
                    .filter(|m| m.fixture.as_deref() == Some(key))
                {
                    let mut violations = Vec::new();
                    check_value(
                        &member.shape,
                        false,
                        &serde_json::Value::String(value.clone()),
                        &mut vec![member.name.clone()],
                        &mut violations,
                    );
                    if let Some(v) = violations.first() {
                        return Err(format!(
                            "fixture `{key}` = `{value}` is no valid {}.{}: {}",
                            op.name, member.name, v.constraint
                        ));
                    }
                }
            }
            values.insert(key.clone(), value.clone());
        }
        let overridden = overrides.iter().map(|(k, _)| k.clone()).collect();
        Ok(Fixtures { values, overridden })
    }

    /// Parses `KEY=VALUE`, as `--fixture` takes it.
    pub fn parse_assignment(text: &str) -> Result<(String, String), String> {
        match text.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
            _ => Err(format!(
                "expected KEY=VALUE (e.g. account.AccountId=123456789012), got `{text}`"
            )),
        }
    }

    /// The value of a fixture.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The (key, value) pairs the user set, to repeat them in a replay command.
    pub fn overrides(&self) -> impl Iterator<Item = (&str, &str)> {
        self.overridden
            .iter()
            .filter_map(|k| self.values.get_key_value(k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every (key, value), in spec order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::embedded;

    #[test]
    fn defaults_and_overrides() {
        let specs = embedded().unwrap();
        let f = Fixtures::resolve(&specs, &[]).unwrap();
        assert_eq!(f.get("account.AccountId"), Some("123456789012"));
        assert_eq!(f.get("workmail.MailDomain"), Some("example.com"));
        let f = Fixtures::resolve(
            &specs,
            &[("account.AccountId".into(), "210987654321".into())],
        )
        .unwrap();
        assert_eq!(f.get("account.AccountId"), Some("210987654321"));
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        let specs = embedded().unwrap();
        let e = Fixtures::resolve(&specs, &[("account.Nope".into(), "1".into())]).unwrap_err();
        assert!(
            e.contains("unknown fixture `account.Nope`") && e.contains("account.AccountId"),
            "{e}"
        );
        let e =
            Fixtures::resolve(&specs, &[("account.AccountId".into(), "12".into())]).unwrap_err();
        assert!(e.contains("regular expression pattern"), "{e}");
        assert!(Fixtures::parse_assignment("a=b=c").unwrap() == ("a".into(), "b=c".into()));
        assert!(Fixtures::parse_assignment("novalue").is_err());
    }
}
