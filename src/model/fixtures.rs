//! Fixture values in force for a run: the spec files' defaults, overridden by `--fixture KEY=VALUE`.

use indexmap::IndexMap;

use super::Model;
use super::path::Path;
use super::validate::validate_value;
use super::value::Value;

/// Resolved fixture values, by key (`account.AccountId`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixtures {
    values: IndexMap<String, String>,
    overridden: Vec<String>,
}

impl Fixtures {
    /// The defaults of every service's fixtures with `overrides` applied; an unknown key, or a value that breaks
    /// the constraints of a member using it, is an error naming the key and what is allowed.
    pub fn resolve(model: &Model, overrides: &[(String, String)]) -> Result<Fixtures, String> {
        let mut values: IndexMap<String, String> = model
            .services
            .values()
            .flat_map(|s| s.rules.fixtures.values())
            .map(|f| (f.key.clone(), f.default.clone()))
            .collect();
        for (key, value) in overrides {
            if !values.contains_key(key) {
                let known: Vec<&str> = values.keys().map(String::as_str).collect();
                return Err(format!(
                    "unknown fixture `{key}`; known fixtures: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
            for (service, op) in model.operations() {
                for member in service
                    .input_members(op)
                    .iter()
                    .filter(|m| m.rules.fixture.as_deref() == Some(key))
                {
                    let violations = validate_value(
                        service,
                        member,
                        &Value::String(value.clone()),
                        &Path::members([member.name.as_str()]),
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

    /// The fixtures set on the command line, with their values (for replay commands).
    pub fn overrides(&self) -> impl Iterator<Item = (&str, &str)> {
        self.overridden
            .iter()
            .filter_map(|k| self.values.get(k).map(|v| (k.as_str(), v.as_str())))
    }

    /// Every fixture value in force, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let model = crate::spec::embedded_model().unwrap();
        let f = Fixtures::resolve(&model, &[]).unwrap();
        assert_eq!(f.get("account.AccountId"), Some("123456789012"));
        assert_eq!(f.get("workmail.MailDomain"), Some("example.com"));
        let f = Fixtures::resolve(
            &model,
            &[("account.AccountId".into(), "210987654321".into())],
        )
        .unwrap();
        assert_eq!(f.get("account.AccountId"), Some("210987654321"));
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        let model = crate::spec::embedded_model().unwrap();
        let e = Fixtures::resolve(&model, &[("account.Nope".into(), "1".into())]).unwrap_err();
        assert!(
            e.contains("unknown fixture `account.Nope`") && e.contains("account.AccountId"),
            "{e}"
        );
        let e =
            Fixtures::resolve(&model, &[("account.AccountId".into(), "12".into())]).unwrap_err();
        assert!(e.contains("regular expression pattern"), "{e}");
        assert!(Fixtures::parse_assignment("a=b=c").unwrap() == ("a".into(), "b=c".into()));
        assert!(Fixtures::parse_assignment("novalue").is_err());
    }
}
