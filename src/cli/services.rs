//! `--service all`, globs (`--service 'cloud*'`) and comma-separated lists (`--service dynamodb,kms`): the services
//! a command covers, and those a pattern matched but conform leaves out because it does not speak their protocol.

use super::{Cli, CliError};
use crate::model::ProtocolId;
use crate::report::matrix::SkippedService;
use crate::spec;

/// What `--service` selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceChoice {
    /// The services to load and run: names given as they were, and those the patterns matched that conform speaks.
    pub names: Vec<String>,
    /// Services the patterns matched that are left out, and why.
    pub skipped: Vec<SkippedService>,
    /// What the user should know about the choice (no models found for `all`, a model file that did not list).
    pub notes: Vec<String>,
}

/// Whether a `--service` value is a pattern: `all`, or a glob with `*` or `?`.
pub fn is_pattern(item: &str) -> bool {
    item.eq_ignore_ascii_case("all") || item.contains(['*', '?'])
}

/// A shell glob (`*` any run of characters, `?` one) as a whole-name, case-insensitive regex; `all` matches all.
fn glob(pattern: &str) -> regex::Regex {
    let mut text = String::from("(?i)^");
    if pattern.eq_ignore_ascii_case("all") {
        text.push_str(".*");
    } else {
        for ch in pattern.chars() {
            match ch {
                '*' => text.push_str(".*"),
                '?' => text.push('.'),
                c => text.push_str(&regex::escape(&c.to_string())),
            }
        }
    }
    text.push('$');
    regex::Regex::new(&text).expect("an escaped glob is a valid regex")
}

/// Expands `requested` (repeated `--service` values, each possibly a comma-separated list): a plain name is kept as
/// given; `all` and globs are matched against the spec files' services and every service of AWS's published models
/// (read from the models' catalogue, without loading their shapes). A matched service of the models whose protocols
/// conform does not speak — or that does not speak `protocol`, when `--protocol` is given — is left out with the
/// reason, not an error. A pattern that matches nothing is an error. Without patterns nothing is looked up.
pub fn expand(
    cli: &Cli,
    requested: &[String],
    protocol: Option<&str>,
) -> Result<ServiceChoice, CliError> {
    let items: Vec<&str> = requested
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    let mut choice = ServiceChoice::default();
    if !items.iter().any(|item| is_pattern(item)) {
        for item in items {
            push_unique(&mut choice.names, item);
        }
        return Ok(choice);
    }
    let specs = match &cli.specs {
        Some(dir) => spec::load_paths(std::slice::from_ref(dir))?,
        None => spec::embedded()?,
    };
    let described: Vec<String> = specs.services.keys().cloned().collect();
    // clap has read CONFORM_MODELS into `cli.models` already.
    let catalog = match crate::frontend::botocore::Models::locate(cli.models.as_deref(), None) {
        Ok(models) => {
            let catalog = models.catalog();
            for failure in &catalog.failures {
                choice.notes.push(format!(
                    "failed to list a model, so its service is left out: {failure}"
                ));
            }
            catalog.services
        }
        // A path given that does not hold models is an error; none found anywhere leaves the spec files' services.
        Err(e) if cli.models.is_some() => {
            return Err(CliError::usage(
                format!("failed to open the service models: {e}"),
                Some(
                    "--models takes botocore's `data` directory, a directory of \
                     <service>/<version>/service-2.json, or one service-2.json"
                        .to_string(),
                ),
            ));
        }
        Err(e) => {
            choice.notes.push(format!(
                "AWS's published models were not found, so the patterns match only the spec files' services \
                 ({}): {e}",
                described.join(", ")
            ));
            Vec::new()
        }
    };
    for item in items {
        if !is_pattern(item) {
            push_unique(&mut choice.names, item);
            continue;
        }
        let pattern = glob(item);
        let mut matched = 0usize;
        for name in described.iter().filter(|n| pattern.is_match(n)) {
            matched += 1;
            push_unique(&mut choice.names, name);
        }
        for entry in catalog.iter().filter(|e| pattern.is_match(&e.name)) {
            matched += 1;
            if described
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&entry.name))
            {
                continue;
            }
            match unspoken(&entry.protocols, protocol) {
                None => push_unique(&mut choice.names, &entry.name),
                Some(reason) => {
                    let skipped = SkippedService {
                        service: entry.name.clone(),
                        reason,
                    };
                    if !choice.skipped.contains(&skipped) {
                        choice.skipped.push(skipped);
                    }
                }
            }
        }
        if matched == 0 {
            return Err(CliError::usage(
                format!("failed to select services: `--service {item}` matches no service"),
                Some(match choice.notes.first() {
                    Some(note) => note.clone(),
                    None => "`conform spec list` lists every service".to_string(),
                }),
            ));
        }
    }
    choice.names.sort_by_key(|n| n.to_ascii_lowercase());
    choice.skipped.sort();
    Ok(choice)
}

/// Why conform cannot run a service whose model lists `protocols` (in the model's order of preference), asked to
/// speak `wanted` (`--protocol`) or, without it, any protocol it speaks; `None` when it can.
fn unspoken(protocols: &[ProtocolId], wanted: Option<&str>) -> Option<String> {
    let spoken = |p: &ProtocolId| crate::protocol::for_id(*p).is_some();
    let listed = || {
        if protocols.is_empty() {
            "no protocol conform knows".to_string()
        } else {
            protocols
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    match wanted {
        None if protocols.iter().any(spoken) => None,
        None if protocols.is_empty() => Some("speaks no protocol conform knows".to_string()),
        None => Some(format!(
            "speaks {}, which conform does not speak yet",
            listed()
        )),
        Some(wanted) => match protocols
            .iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(wanted) || p.botocore_name() == wanted)
        {
            Some(p) if spoken(p) => None,
            Some(p) => Some(format!("conform does not speak {p} yet")),
            None => Some(format!("does not speak {wanted} (speaks {})", listed())),
        },
    }
}

fn push_unique(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        names.push(name.to_string());
    }
}

/// The note that says which services a pattern left out, one line for all of them.
pub fn skipped_note(skipped: &[SkippedService]) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let listed: Vec<String> = skipped
        .iter()
        .map(|s| format!("{} ({})", s.service, s.reason))
        .collect();
    Some(format!(
        "{} selected service(s) left out, in a protocol conform does not speak yet: {}",
        skipped.len(),
        listed.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names_without_case() {
        assert!(glob("cloud*").is_match("cloudwatch"));
        assert!(glob("cloud*").is_match("CloudTrail"));
        assert!(!glob("cloud*").is_match("xcloud"));
        assert!(glob("s?s").is_match("sqs") && glob("s?s").is_match("sns"));
        assert!(!glob("s?s").is_match("sesv2"));
        assert!(glob("a.b").is_match("a.b") && !glob("a.b").is_match("axb"));
        assert!(glob("all").is_match("anything"));
        assert!(is_pattern("ALL") && is_pattern("iot*") && !is_pattern("dynamodb"));
    }

    #[test]
    fn a_service_is_left_out_only_for_a_protocol_it_does_not_list_or_conform_does_not_speak() {
        let json = [ProtocolId::AwsJson1_1];
        let xml_first = [ProtocolId::RestXml, ProtocolId::AwsJson1_0];
        // Every protocol of the models is spoken now: a service listing none conform knows is what is left.
        assert_eq!(unspoken(&json, None), None);
        assert_eq!(unspoken(&xml_first, None), None, "the first it speaks");
        assert_eq!(
            unspoken(&[], None).as_deref(),
            Some("speaks no protocol conform knows")
        );
        assert_eq!(unspoken(&xml_first, Some("json")), None);
        assert_eq!(unspoken(&xml_first, Some("rest-xml")), None);
        assert_eq!(
            unspoken(&json, Some("rest-json")).as_deref(),
            Some("does not speak rest-json (speaks awsJson1_1)")
        );
    }
}
