//! Which answers to a valid request say that the target does not implement the operation at all.
//!
//! The runner sends the first two valid cases of every operation before the others (its probes); when each is
//! answered so, the operation is reported once as not implemented and its other cases are not sent: against an
//! emulator that lacks most of a service, that turns thousands of identical deviations into one line and saves
//! their requests. A false "not implemented" would hide real deviations, so every rule below names an answer that
//! AWS never gives to a valid request of an operation it has, and the operation's own declared errors are never
//! read as one (see [`unimplemented_reading`]).
//!
//! One answer cannot tell a missing operation from a crash: a bare 500 page. moto (5.2.5) answers an action its
//! backend lacks (`NotImplementedError`) and an exception its backend raises on the request (DynamoDB's
//! CreateTable on conform's generated tables: `KeyError`, `IndexError`) with the very same page: Flask's generic
//! "500 Internal Server Error", `text/html`, 265 bytes, the same headers; only moto's own log tells them apart.
//! Neither an invalid request (a broken JSON body gets the same page from both) nor a made-up operation name (the
//! same page again) tells them apart from outside either. What does is a request the crash does not meet: so when
//! every probe gets the bare 500 page ([`Reading::CrashOrMissing`]), the runner sends up to two more: the
//! operation's smallest valid request (every optional member absent), then its fullest (every optional member
//! present; DynamoDB's CreateTable crashes without `KeySchema`, which botocore 1.44's model no longer requires).
//! Any other answer (a success, a typed error) shows the operation implemented: its cases all run, and the
//! probes' 500s are deviations like any other. When those get the page too, or the operation has no optional
//! member, the report says that it cannot tell (`crashes on every valid request, or is not implemented`), never
//! that the operation is not implemented; its other cases are not sent either way.

use crate::model::{Operation, Service};

/// Error types that say the operation, not the request, is unknown:
/// - `UnknownOperationException`: Coral's (and so AWS's JSON protocols') answer to an `X-Amz-Target` or a
///   restJson1 route it does not know; the embedded target answers so for a service it does not serve.
/// - `InvalidAction`: awsQuery's and ec2Query's answer to an `Action` they do not know.
/// - `NotImplemented`, `NotImplementedException`, `UnsupportedOperation`, `UnsupportedOperationException`: what
///   emulators answer for an operation they lack (LocalStack's providers, moto's few explicit ones).
///
/// AWS answers none of these to a valid request of an operation it has: the first two mean "no such operation",
/// and the others are not in AWS's common errors. Some services do declare an error of such a name for valid
/// requests (Redshift's `UnsupportedOperation` on 141 operations: "the requested operation isn't supported" for
/// that cluster); [`looks_unimplemented`] leaves every declared error out, so those stay ordinary answers.
const NOT_IMPLEMENTED_TYPES: [&str; 6] = [
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
    "NotImplementedException",
    "UnsupportedOperation",
    "UnsupportedOperationException",
];

/// What the answer to a valid request says about the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The target does not know the operation: an answer no crash gives (an unknown route, 501, an error type
    /// naming an unknown operation, "not yet implemented").
    Missing,
    /// A bare 500 page: a crash and a missing operation look alike (see the module's notes).
    CrashOrMissing,
}

/// The `expected` text of the `implemented` check when the operation is missing.
pub const EXPECTED_IMPLEMENTED: &str = "the operation implemented";

/// The `expected` text of the `implemented` check when the probes cannot tell a crash from a missing operation;
/// the matrix reads it to say so in the cell.
pub const EXPECTED_NO_CRASH: &str = "the operation implemented, and answering without a crash";

/// Whether `status` with `error_type` (as the service's protocol decoded it) and `body`, the answer to a valid
/// request of `op`, says that the target does not implement `op` ([`Reading::Missing`]), or may say so
/// ([`Reading::CrashOrMissing`]):
///
/// - any 501 Not Implemented (HTTP's own "the server does not support the functionality"; LocalStack's answer to
///   an action it lacks, `InternalFailure` "... not yet implemented or pro feature"): missing;
/// - a 404 or 405 without an error type of the protocol: a web framework's page for a route it does not know
///   (moto answers an unknown restJson1 path with Flask's 404 page). Every error AWS sends on these protocols
///   names its type (`x-amzn-ErrorType`, `__type`, `<Code>`), so a valid request never gets a bare one from AWS; a
///   404 to a HEAD request is left out all the same, since its answer has no body to carry a type: missing;
/// - an error status with one of [`NOT_IMPLEMENTED_TYPES`], or whose body says "not yet implemented" (LocalStack):
///   missing;
/// - a 500 without an error type: Flask's generic page, which moto sends both for an action its backend lacks and
///   for a crash: crash or missing;
///
/// but never an error type `op` declares: that is an answer AWS itself may give to a valid request.
pub fn unimplemented_reading(
    service: &Service,
    op: &Operation,
    status: u16,
    error_type: Option<&str>,
    body: &str,
) -> Option<Reading> {
    if let Some(code) = error_type
        && crate::oracle::declared_errors(service, op)
            .iter()
            .any(|declared| declared.error_type.as_deref() == Some(code))
    {
        return None;
    }
    let missing = match (status, error_type) {
        (501, _) => true,
        (404, None) => !op.http.method.eq_ignore_ascii_case("HEAD"),
        (405, None) => true,
        (500, None) => return Some(Reading::CrashOrMissing),
        (400.., Some(code)) => {
            NOT_IMPLEMENTED_TYPES.contains(&code)
                || body.to_ascii_lowercase().contains("not yet implemented")
        }
        _ => false,
    };
    missing.then_some(Reading::Missing)
}

/// Whether the answer says, or may say, that the target does not implement `op` ([`unimplemented_reading`]).
pub fn looks_unimplemented(
    service: &Service,
    op: &Operation,
    status: u16,
    error_type: Option<&str>,
    body: &str,
) -> bool {
    unimplemented_reading(service, op, status, error_type, body).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ErrorTrait, Fault, Http, Shape, ShapeKind};

    /// A service with one operation that declares `UnsupportedOperation` (as Redshift's do), and one that does not.
    fn service() -> Service {
        let mut service = Service::new("svc", crate::model::ProtocolId::AwsQuery);
        let mut fault = Shape::new(
            "UnsupportedOperationFault",
            ShapeKind::Structure(Vec::new()),
        );
        fault.error = Some(ErrorTrait {
            code: Some("UnsupportedOperation".into()),
            status: Some(400),
            fault: Fault::Client,
            retryable: false,
            throttling: false,
        });
        let id = service.add_shape(fault);
        let mut declares = Operation::new("ModifyCluster");
        declares.errors.push(id);
        service.operations.insert("ModifyCluster".into(), declares);
        service.operations.insert(
            "DescribeClusters".into(),
            Operation::new("DescribeClusters"),
        );
        service
    }

    #[test]
    fn unknown_routes_and_unknown_operation_errors_look_unimplemented() {
        let service = service();
        let op = &service.operations["DescribeClusters"];
        let unimplemented = |status, error_type: Option<&str>, body| {
            looks_unimplemented(&service, op, status, error_type, body)
        };
        assert!(unimplemented(404, None, "<title>404 Not Found</title>"));
        assert!(unimplemented(
            500,
            None,
            "<title>500 Internal Server Error</title>"
        ));
        assert!(unimplemented(405, None, ""));
        assert!(unimplemented(501, Some("InternalFailure"), ""));
        assert!(unimplemented(400, Some("UnknownOperationException"), ""));
        assert!(unimplemented(400, Some("InvalidAction"), ""));
        assert!(unimplemented(
            500,
            Some("InternalFailure"),
            "API action 'X' for service 'y' not yet implemented or pro feature"
        ));
        // Ordinary answers: a success, a typed 404 or 500, a validation error.
        assert!(!unimplemented(200, None, "{}"));
        assert!(!unimplemented(404, Some("ResourceNotFoundException"), ""));
        assert!(!unimplemented(500, Some("InternalFailure"), "{}"));
        assert!(!unimplemented(400, Some("ValidationException"), ""));
    }

    #[test]
    fn a_bare_500_page_may_be_a_crash_and_says_so() {
        let service = service();
        let op = &service.operations["DescribeClusters"];
        let reading = |status, error_type: Option<&str>| {
            unimplemented_reading(&service, op, status, error_type, "")
        };
        assert_eq!(reading(500, None), Some(Reading::CrashOrMissing));
        assert_eq!(reading(404, None), Some(Reading::Missing));
        assert_eq!(reading(405, None), Some(Reading::Missing));
        assert_eq!(reading(501, None), Some(Reading::Missing));
        assert_eq!(
            reading(400, Some("UnknownOperationException")),
            Some(Reading::Missing)
        );
        assert_eq!(reading(500, Some("InternalFailure")), None);
        assert_eq!(reading(200, None), None);
    }

    #[test]
    fn a_declared_error_is_never_read_as_unimplemented() {
        let service = service();
        let declares = &service.operations["ModifyCluster"];
        assert!(!looks_unimplemented(
            &service,
            declares,
            400,
            Some("UnsupportedOperationFault"),
            ""
        ));
        let code = crate::oracle::declared_errors(&service, declares)[0]
            .error_type
            .clone()
            .unwrap();
        assert!(!looks_unimplemented(
            &service,
            declares,
            400,
            Some(&code),
            ""
        ));
        // The same type from an operation that does not declare it says the operation is unknown.
        let other = &service.operations["DescribeClusters"];
        assert!(looks_unimplemented(
            &service,
            other,
            400,
            Some("UnsupportedOperation"),
            ""
        ));
    }

    #[test]
    fn a_bodiless_404_to_head_is_an_answer_not_a_missing_route() {
        let mut service = service();
        let mut head = Operation::new("DescribeObject");
        head.http = Http::new("HEAD", "/{Path+}", 200);
        service.operations.insert("DescribeObject".into(), head);
        let op = &service.operations["DescribeObject"];
        assert!(!looks_unimplemented(&service, op, 404, None, ""));
        assert!(looks_unimplemented(&service, op, 405, None, ""));
    }
}
