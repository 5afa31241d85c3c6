//! Sample case results shared by the reporters' unit tests.

use super::*;
use crate::case::CaseClass;
use crate::model::{Outcome, Path};
use crate::oracle::Expected;

fn check(
    check: CheckName,
    passed: bool,
    uncertain: bool,
    expected: &str,
    actual: &str,
) -> CheckResult {
    CheckResult {
        check,
        passed,
        uncertain,
        expected: expected.into(),
        actual: actual.into(),
        message: if passed {
            format!("{check} ok")
        } else {
            format!("expected {expected}, got {actual}")
        },
    }
}

fn base(id: &str, operation: &str, kind: CaseKind, accept: Vec<Outcome>) -> CaseResult {
    CaseResult {
        id: id.into(),
        service: if operation == "UpdatePrimaryEmailAddress" {
            "workmail"
        } else {
            "account"
        }
        .into(),
        operation: operation.into(),
        kind,
        mutation: None,
        expected: Expected::certain(accept, ""),
        actual: None,
        against: None,
        checks: vec![],
        transport_error: None,
        retries: 0,
        passed: false,
        uncertain: false,
        deviation: false,
        error: false,
        baselined: false,
        shrunk: None,
        shrunk_with: None,
        reproduce: Reproduce {
            curl: format!(
                "curl -X POST http://127.0.0.1:1/ -H 'authorization: <redacted>' --data '{{}}' # {id}"
            ),
            replay: format!("conform replay {id} --seed 42"),
        },
        body_excerpt: None,
        capped_bodies: Vec::new(),
    }
}

fn validation() -> Vec<Outcome> {
    vec![Outcome {
        status: 400,
        error_type: Some("ValidationException".into()),
    }]
}

/// Four results: a pass, a deviation, an uncertain failure and a transport error.
pub(crate) fn sample_results() -> Vec<CaseResult> {
    let mut pass = base(
        "put-valid-1",
        "PutAlternateContact",
        CaseKind::Valid,
        vec![Outcome::success(200)],
    );
    pass.actual = Some(Actual {
        status: 200,
        error_type: None,
    });
    pass.checks = vec![check(CheckName::Status, true, false, "200", "200")];

    let mut deviation = base(
        "put-invalid-7",
        "PutAlternateContact",
        CaseKind::Invalid,
        validation(),
    );
    deviation.mutation = Some(Mutation {
        path: Some(Path::members(["Name"])),
        class: CaseClass::LengthAboveMax,
        detail: "Name is 65 characters, one over the maximum of 64".into(),
    });
    deviation.actual = Some(Actual {
        status: 200,
        error_type: None,
    });
    deviation.checks = vec![
        check(CheckName::Status, false, false, "400", "200"),
        check(
            CheckName::ErrorType,
            false,
            false,
            "ValidationException",
            "(none)",
        ),
        check(CheckName::RequestId, true, false, "x", "x"),
    ];
    deviation.body_excerpt = Some(String::new());
    deviation.shrunk = Some(ShrunkCase {
        id: "put-invalid-7-s2".into(),
        mutation: deviation.mutation.clone(),
        body: r#"{"AlternateContactType":"BILLING","Name":"***"}"#.into(),
    });

    let mut uncertain = base(
        "wm-invalid-3",
        "UpdatePrimaryEmailAddress",
        CaseKind::Invalid,
        vec![
            Outcome {
                status: 400,
                error_type: Some("ValidationException".into()),
            },
            Outcome {
                status: 400,
                error_type: Some("InvalidParameterException".into()),
            },
        ],
    );
    uncertain.expected.uncertain = true;
    uncertain.mutation = Some(Mutation {
        path: Some(Path::members(["Email"])),
        class: CaseClass::PatternMiddle,
        detail: "Email breaks its pattern".into(),
    });
    uncertain.actual = Some(Actual {
        status: 400,
        error_type: Some("MailDomainNotFoundException".into()),
    });
    uncertain.checks = vec![
        check(CheckName::Status, true, false, "400", "400"),
        check(
            CheckName::ErrorType,
            false,
            true,
            "ValidationException",
            "MailDomainNotFoundException",
        ),
    ];
    uncertain.body_excerpt = Some(r#"{"__type":"MailDomainNotFoundException"}"#.into());

    let mut error = base(
        "get-valid-2",
        "GetAlternateContact",
        CaseKind::Valid,
        vec![Outcome::success(200)],
    );
    error.transport_error = Some("failed to read the response: connection reset by peer".into());

    let mut all = vec![pass, deviation, uncertain, error];
    for r in &mut all {
        r.classify();
    }
    all
}

/// The events of a run over [`sample_results`].
pub(crate) fn sample_events() -> Vec<Event> {
    let results = sample_results();
    let mut summary = Summary::default();
    let mut events = vec![
        Event::RunStarted {
            seed: 42,
            target: "http://127.0.0.1:1".into(),
            total: Some(4),
            phases: Vec::new(),
            origin: Default::default(),
        },
        Event::Note("signing with the documented test key pair".into()),
    ];
    for r in results {
        summary.add(&r);
        events.push(Event::CaseFinished(Box::new(r)));
    }
    events.push(Event::RunFinished {
        summary,
        elapsed: Duration::from_millis(1234),
        stopped: None,
    });
    events
}

/// A writer whose bytes a test can read after the reporter that owns it is done.
#[derive(Clone, Default)]
pub(crate) struct Shared(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Shared {
    /// Everything written, as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
