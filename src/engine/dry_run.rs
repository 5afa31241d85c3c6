//! `conform run --dry-run`: everything a run would send, in order, with nothing sent and no target started.

use std::io::Write;

use serde_json::Value;

use super::{RunConfig, Selection};
use crate::case::{Case, CaseClass, Signing};
use crate::client::{CurlSigning, curl_command};
use crate::generate;
use crate::model::json_form::{from_json, to_plain_json};
use crate::model::{Model, Service};
use crate::redact::{Policy, Redactor};
use crate::safety::REAL_DEFAULT_RATE;
use crate::safety::restore;
use crate::spec::template::{Reference, lookup_path, render_map};

/// What the dry run listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DryRunCounts {
    /// Reads made to record state before the first change.
    pub recording_reads: usize,
    /// Requests of examples (setup calls included) and generated cases.
    pub requests: usize,
    /// Scenario instances (each several calls).
    pub scenarios: usize,
}

/// Prints, as curl commands that sign themselves (through the run's redaction policy), every request `conform run`
/// would send with this config: the reads that record state on a real target, the examples with their setup, the
/// generated cases and the scenarios' steps (references to earlier steps' outputs left as they are: they exist
/// only once sent).
pub fn dry_run(
    specs: &Model,
    config: &RunConfig,
    out: &mut dyn Write,
) -> std::io::Result<DryRunCounts> {
    let real = config.real();
    let blocked = config.safety.blocked(specs, real);
    let selection = Selection::new(specs, config, &blocked);
    let redactor = Redactor::new(
        Policy {
            real,
            mask_sensitive: config.mask_sensitive,
        },
        Vec::<String>::new(),
        config
            .generation
            .fixtures
            .iter()
            .map(|(_, v)| v.to_string()),
    );
    let printer = Printer {
        redactor: &redactor,
        region: config.region.as_deref(),
    };
    let mut counts = DryRunCounts::default();
    let endpoint = config
        .endpoint
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:PORT".to_string())
        .trim_end_matches('/')
        .to_string();
    writeln!(
        out,
        "# dry run: nothing is sent. Target: {} ({}); requests are signed with SigV4 when sent.",
        config.endpoint.as_deref().unwrap_or("the embedded target"),
        if real {
            "treated as real AWS"
        } else {
            "an emulator"
        }
    )?;
    if real {
        writeln!(
            out,
            "# at most {} request(s) per second",
            config.rate.unwrap_or(REAL_DEFAULT_RATE)
        )?;
        for line in blocked.explain(selection.selected.iter().map(String::as_str)) {
            writeln!(out, "# left out: {line}")?;
        }
        let restores = restore::plan(specs, &selection.changing_operations(specs));
        if !restores.is_empty() {
            writeln!(
                out,
                "# before the first change, read and record (into {}), and put back after the run:",
                config.safety.journal.display()
            )?;
            for (label, call) in restore::reads(&config.generation.fixtures, &restores) {
                counts.recording_reads += 1;
                match call {
                    Ok(call) => writeln!(
                        out,
                        "#   {label}: {}",
                        redactor.text(&restore::call_text(&call))
                    )?,
                    Err(why) => writeln!(out, "#   {label}: cannot be built: {why}")?,
                }
            }
        }
    }

    for example in &selection.examples {
        let service = &specs.services[&example.case.service];
        for (operation, input, request) in &example.setup {
            writeln!(out, "\n## {}-setup ({operation})", example.case.id)?;
            let setup = Case {
                operation: operation.clone(),
                input: input.clone(),
                request: request.clone(),
                ..example.case.clone()
            };
            writeln!(out, "{}", printer.curl(service, &setup, &endpoint))?;
            counts.requests += 1;
        }
        printer.case(service, &example.case, &endpoint, out)?;
        counts.requests += 1;
    }
    if selection.single_requests {
        // The generator yields only the partition's share.
        let cases = generate::generate(specs, &config.generation)
            .filter(|case| case.class != CaseClass::Example && blocked.allows(&case.operation));
        for case in cases {
            printer.case(&specs.services[&case.service], &case, &endpoint, out)?;
            counts.requests += 1;
        }
    }
    for instance in &selection.scenarios {
        counts.scenarios += 1;
        let service = &specs.services[&instance.service];
        let Some(scenario) = service
            .rules
            .scenarios
            .iter()
            .find(|s| s.name == instance.scenario)
        else {
            continue;
        };
        writeln!(
            out,
            "\n## scenario {} ({})",
            instance.id, scenario.description
        )?;
        let lookup = |r: &Reference| -> Option<Value> {
            match r {
                Reference::Param(name) => {
                    instance.params.get(name).map(|v| Value::String(v.clone()))
                }
                Reference::Fixture(key) => config
                    .generation
                    .fixtures
                    .get(key)
                    .map(|v| Value::String(v.to_string())),
                Reference::Draw(name, path) => {
                    lookup_path(&Value::Object(instance.draw_input(name)?), path).cloned()
                }
                // Known only once the earlier step has answered.
                Reference::Step(name, path) => {
                    Some(Value::String(format!("${{step.{name}.output.{path}}}")))
                }
            }
        };
        for (step, cleanup) in scenario
            .steps
            .iter()
            .map(|s| (s, false))
            .chain(scenario.cleanup.iter().map(|s| (s, true)))
        {
            let input = match (
                render_map(&step.input, &lookup),
                service.operations.get(&step.operation),
            ) {
                (Ok(input), Some(op)) => {
                    let typed = match op.input {
                        Some(shape) => from_json(service, shape, &Value::Object(input)),
                        None => crate::model::Value::structure(),
                    };
                    to_plain_json(&redactor.input(service, op, &typed)).to_string()
                }
                (Ok(input), None) => Value::Object(input).to_string(),
                (Err(why), _) => format!("(cannot be built: {why})"),
            };
            writeln!(
                out,
                "{}{} {}: {}",
                if cleanup { "cleanup " } else { "step " },
                step.name,
                step.operation,
                redactor.text(&input)
            )?;
        }
    }
    writeln!(
        out,
        "\n# {} request(s){}{}; nothing was sent",
        counts.requests,
        if counts.scenarios > 0 {
            format!(" and {} scenario run(s)", counts.scenarios)
        } else {
            String::new()
        },
        if counts.recording_reads > 0 {
            format!(", after {} recording read(s)", counts.recording_reads)
        } else {
            String::new()
        }
    )?;
    Ok(counts)
}

/// Prints cases through the run's redaction policy.
struct Printer<'a> {
    redactor: &'a Redactor,
    region: Option<&'a str>,
}

impl Printer<'_> {
    fn curl(&self, service: &Service, case: &Case, endpoint: &str) -> String {
        let region = service.region.resolve(self.region).to_string();
        let signing = CurlSigning {
            region: &region,
            service: &service.signing_name,
            signing: case.signing,
            session_token: false,
            access_key_id: (case.signing == Signing::UnknownAccessKey)
                .then_some(crate::credentials::UNKNOWN_ACCESS_KEY_ID),
        };
        let masked = if self.redactor.masks_sensitive()
            && let Some(op) = service.operations.get(&case.operation)
            && let Some(p) = crate::protocol::for_id(service.protocol)
            && let Ok(r) = p.encode(service, op, &self.redactor.input(service, op, &case.input))
        {
            Some(r.body)
        } else {
            None
        };
        self.redactor.text(&curl_command(
            &case.request,
            endpoint,
            &signing,
            masked.as_deref(),
        ))
    }

    fn case(
        &self,
        service: &Service,
        case: &Case,
        endpoint: &str,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let expected = case.expected.primary();
        writeln!(
            out,
            "\n## {} ({}; expect {}{}{})",
            case.id,
            case.kind.as_str(),
            expected.status,
            expected
                .error_type
                .as_deref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default(),
            match case.signing {
                Signing::Valid => "",
                Signing::Unsigned => "; sent unsigned",
                Signing::BadSignature => "; sent with a wrong signature",
                Signing::UnknownAccessKey => "; signed with an unknown access key",
                Signing::Expired => "; signed with an expired date",
            }
        )?;
        writeln!(out, "{}", self.curl(service, case, endpoint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::GenConfig;
    use crate::safety::{Safety, TargetKind};

    fn dry(config: &RunConfig) -> (String, DryRunCounts) {
        let specs = crate::spec::embedded_model().unwrap();
        let mut out = Vec::new();
        let counts = dry_run(&specs, config, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), counts)
    }

    fn config(safety: Safety) -> RunConfig {
        let specs = crate::spec::embedded_model().unwrap();
        let mut config = RunConfig::new(GenConfig::new(&specs, 0, 2));
        config.endpoint = Some("https://account.us-east-1.amazonaws.com".into());
        config.safety = safety;
        config
    }

    #[test]
    fn a_real_target_lists_reads_only_and_says_what_is_left_out() {
        let (text, counts) = dry(&config(Safety::default()));
        assert!(text.contains("treated as real AWS"), "{text}");
        assert!(text.contains("# at most 2 request(s) per second"), "{text}");
        assert!(
            text.contains(
                "# left out: PutAlternateContact (changes state): pass --allow-mutations"
            ),
            "{text}"
        );
        assert!(
            text.contains("# left out: StartPrimaryEmailUpdate (sends a one-time code"),
            "{text}"
        );
        assert_eq!(
            counts.recording_reads, 0,
            "nothing changes, nothing to record"
        );
        assert!(counts.requests > 0);
        for line in text.lines().filter(|l| l.starts_with("## ")) {
            assert!(
                !line.contains("PutAlternateContact")
                    && !line.contains("DeleteAlternateContact")
                    && !line.contains("StartPrimaryEmailUpdate")
                    && !line.contains("AcceptPrimaryEmailUpdate")
                    && !line.contains("UpdatePrimaryEmailAddress"),
                "a blocked operation would be sent: {line}"
            );
        }
        assert!(text.contains("## GetAlternateContact-"), "{text}");
    }

    #[test]
    fn allowed_mutations_show_the_recording_first() {
        let (text, counts) = dry(&config(Safety {
            allow_mutations: true,
            ..Safety::default()
        }));
        assert_eq!(
            counts.recording_reads, 6,
            "three contact types, caller and member"
        );
        assert!(
            text.contains(r#"#   alternate-contacts (type=BILLING): GetAlternateContact {"AlternateContactType":"BILLING"}"#),
            "{text}"
        );
        assert!(text.contains("## PutAlternateContact-valid-"), "{text}");
        assert!(
            text.contains("## scenario account-scenario-put-then-get-"),
            "{text}"
        );
        assert!(
            !text.contains("scenario account-scenario-primary-email"),
            "the primary email scenarios need --include"
        );
    }

    #[test]
    fn test_data_is_shown_on_an_emulator_masked_on_demand_and_nothing_is_signed() {
        let mut config = config(Safety {
            target_kind: TargetKind::Emulator,
            ..Safety::default()
        });
        config.endpoint = Some("http://127.0.0.1:5000".into());
        let (text, _) = dry(&config);
        assert!(text.contains("(an emulator)"), "{text}");
        assert!(text.contains(r#""EmailAddress":"#), "{text}");
        assert!(
            !text.contains(r#""EmailAddress":"***""#),
            "generated test data is shown: {text}"
        );
        assert!(
            !text.to_ascii_lowercase().contains("authorization"),
            "{text}"
        );
        assert!(
            text.contains("--aws-sigv4 'aws:amz:us-east-1:account'"),
            "{text}"
        );
        assert!(text.contains("step put PutAlternateContact"), "{text}");
        config.mask_sensitive = true;
        let (masked, _) = dry(&config);
        assert!(masked.contains(r#""EmailAddress":"***""#), "{masked}");
    }
}
