//! The catalogue of named deviations the embedded target can switch on, and the set in force.

use std::collections::HashSet;

/// One switchable deviation: a kebab-case name and a line saying what the target then gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultInfo {
    /// The name given to `--fault`.
    pub name: &'static str,
    /// What the target does wrong with it, in one line.
    pub description: &'static str,
}

/// A deviation, as the code that bends behaviour consults it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Fault {
    SkipLength,
    SkipPattern,
    SkipEnum,
    SkipRequired,
    SkipType,
    PatternUnanchored,
    PatternRepeatUnbounded,
    PatternUnicodeClasses,
    FirstViolationOnly,
    NestedItemsUnchecked,
    LengthInBytes,
    EnumCaseInsensitive,
    ValidationStatus500,
    NotFoundStatus400,
    ErrorTypeMisspelt,
    ErrorTypeMissing,
    RestErrorTypeBodyOnly,
    JsonErrorTypeHeaderOnly,
    ValidationMessageSmithy,
    SensitiveValueEchoed,
    ResponseMemberRenamed,
    ResponseMemberMissing,
    ResponseMemberWrongType,
    ResponseExtraMember,
    TimestampAsString,
    PutNotStored,
    DeleteNotDeleted,
    DeleteMissingOk,
    GetMissingEmpty,
    OtpNotChecked,
    PrimaryEmailNotUpdated,
    UnknownAccountAllowed,
    OldPrimaryDropped,
    EmailInUseNotEnforced,
    ContactTypesShared,
    MemberContactsShared,
    AcceptStatusRenamed,
    EmailUpdateNeverCompletes,
    EntityChangeLeaks,
    EmailCaseSensitive,
    MailDomainNotChecked,
    EntityByIdOnly,
    OrganizationNotChecked,
    UnknownTargetAccepted,
    AnyMethodAccepted,
    MalformedJsonAccepted,
    UnsignedAccepted,
    BadSignatureAccepted,
    UnknownAccessKeyAccepted,
    ExpiredSignatureAccepted,
    AuthBeforeParse,
    SignatureErrorXmlCode,
    NonAsciiCrash,
    WrongContentType,
    MissingRequestId,
}

/// The catalogue, in the order `--list-faults` prints it; `FAULTS[i]` describes `ALL[i]`.
const CATALOGUE: &[(Fault, FaultInfo)] = &[
    (
        Fault::SkipLength,
        info(
            "skip-length",
            "length constraints (min/max length) are not enforced",
        ),
    ),
    (
        Fault::SkipPattern,
        info("skip-pattern", "pattern constraints are not enforced"),
    ),
    (
        Fault::SkipEnum,
        info(
            "skip-enum",
            "enum constraints are not enforced: any string is accepted",
        ),
    ),
    (
        Fault::SkipRequired,
        info(
            "skip-required",
            "missing or null required members are accepted",
        ),
    ),
    (
        Fault::SkipType,
        info("skip-type", "members of the wrong JSON type are accepted"),
    ),
    (
        Fault::PatternUnanchored,
        info(
            "pattern-unanchored",
            "patterns match anywhere in the value instead of the whole value (a 13-digit AccountId passes)",
        ),
    ),
    (
        Fault::PatternRepeatUnbounded,
        info(
            "pattern-repeat-unbounded",
            "counted repetitions in patterns are not counted: `\\d{12}` accepts any number of digits",
        ),
    ),
    (
        Fault::PatternUnicodeClasses,
        info(
            "pattern-unicode-classes",
            "`\\d`, `\\w` and `\\s` in patterns accept Unicode digits, letters and spaces (`٣`, `é`, U+00A0)",
        ),
    ),
    (
        Fault::FirstViolationOnly,
        info(
            "first-violation-only",
            "a request with several violations is answered with the first one only",
        ),
    ),
    (
        Fault::NestedItemsUnchecked,
        info(
            "nested-items-unchecked",
            "constraints on items inside lists and maps (keys and values) are not enforced",
        ),
    ),
    (
        Fault::LengthInBytes,
        info(
            "length-in-bytes",
            "string lengths are counted in UTF-8 bytes instead of code points",
        ),
    ),
    (
        Fault::EnumCaseInsensitive,
        info(
            "enum-case-insensitive",
            "enum values are compared ignoring letter case (\"Billing\" is accepted)",
        ),
    ),
    (
        Fault::ValidationStatus500,
        info(
            "validation-status-500",
            "validation errors are sent with status 500 instead of 400",
        ),
    ),
    (
        Fault::NotFoundStatus400,
        info(
            "not-found-status-400",
            "ResourceNotFoundException is sent with status 400 instead of 404",
        ),
    ),
    (
        Fault::ErrorTypeMisspelt,
        info(
            "error-type-misspelt",
            "error types end in `Error` instead of `Exception` (ValidationError)",
        ),
    ),
    (
        Fault::ErrorTypeMissing,
        info(
            "error-type-missing",
            "error responses carry no error type, neither in a header nor in the body",
        ),
    ),
    (
        Fault::RestErrorTypeBodyOnly,
        info(
            "rest-error-type-body-only",
            "restJson1 errors carry their type only in the body (`__type`), not in X-Amzn-ErrorType",
        ),
    ),
    (
        Fault::JsonErrorTypeHeaderOnly,
        info(
            "json-error-type-header-only",
            "awsJson errors carry their type only in X-Amzn-ErrorType, not in the body's `__type`",
        ),
    ),
    (
        Fault::ValidationMessageSmithy,
        info(
            "validation-message-smithy",
            "validation messages use Smithy's server text and JSON Pointer paths instead of Coral's",
        ),
    ),
    (
        Fault::SensitiveValueEchoed,
        info(
            "sensitive-value-echoed",
            "validation messages echo the values of sensitive members",
        ),
    ),
    (
        Fault::ResponseMemberRenamed,
        info(
            "response-member-renamed",
            "output members are sent in lowerCamelCase (`status` instead of `Status`)",
        ),
    ),
    (
        Fault::ResponseMemberMissing,
        info(
            "response-member-missing",
            "the first output member of every operation is left out of the response",
        ),
    ),
    (
        Fault::ResponseMemberWrongType,
        info(
            "response-member-wrong-type",
            "the first output member is sent with the wrong JSON type",
        ),
    ),
    (
        Fault::ResponseExtraMember,
        info(
            "response-extra-member",
            "responses carry an extra member the model does not declare (`ResponseMetadata`)",
        ),
    ),
    (
        Fault::TimestampAsString,
        info(
            "timestamp-as-string",
            "timestamps are sent as ISO-8601 strings instead of epoch seconds",
        ),
    ),
    (
        Fault::PutNotStored,
        info(
            "put-not-stored",
            "PutAlternateContact answers 200 but stores nothing",
        ),
    ),
    (
        Fault::DeleteNotDeleted,
        info(
            "delete-not-deleted",
            "DeleteAlternateContact answers 200 but the contact stays",
        ),
    ),
    (
        Fault::DeleteMissingOk,
        info(
            "delete-missing-ok",
            "DeleteAlternateContact of a missing contact answers 200 instead of 404",
        ),
    ),
    (
        Fault::GetMissingEmpty,
        info(
            "get-missing-empty",
            "GetAlternateContact of a missing contact answers 200 with `{}` instead of 404",
        ),
    ),
    (
        Fault::OtpNotChecked,
        info(
            "otp-not-checked",
            "AcceptPrimaryEmailUpdate accepts any one-time code",
        ),
    ),
    (
        Fault::PrimaryEmailNotUpdated,
        info(
            "primary-email-not-updated",
            "AcceptPrimaryEmailUpdate answers ACCEPTED but the primary email stays the old one",
        ),
    ),
    (
        Fault::UnknownAccountAllowed,
        info(
            "unknown-account-allowed",
            "any well-formed AccountId is treated as a member account (no AccessDeniedException)",
        ),
    ),
    (
        Fault::OldPrimaryDropped,
        info(
            "old-primary-dropped",
            "UpdatePrimaryEmailAddress drops the old primary instead of keeping it as an alias",
        ),
    ),
    (
        Fault::EmailInUseNotEnforced,
        info(
            "email-in-use-not-enforced",
            "an address held by another entity can be taken (no EmailAddressInUseException)",
        ),
    ),
    (
        Fault::ContactTypesShared,
        info(
            "contact-types-shared",
            "an account's alternate contact types share one slot: putting one type overwrites the others",
        ),
    ),
    (
        Fault::MemberContactsShared,
        info(
            "member-contacts-shared",
            "the caller's account and the member account share their alternate contacts",
        ),
    ),
    (
        Fault::AcceptStatusRenamed,
        info(
            "accept-status-renamed",
            "AcceptPrimaryEmailUpdate answers a Status outside the model's values (ACCEPTED_PENDING_COMPLETION)",
        ),
    ),
    (
        Fault::EmailUpdateNeverCompletes,
        info(
            "email-update-never-completes",
            "an accepted primary-email update stays ACCEPTED: GetPrimaryEmail never shows the new address",
        ),
    ),
    (
        Fault::EntityChangeLeaks,
        info(
            "entity-change-leaks",
            "UpdatePrimaryEmailAddress also gives the new address to the organization's other entity",
        ),
    ),
    (
        Fault::EmailCaseSensitive,
        info(
            "email-case-sensitive",
            "email addresses are compared with letter case: another entity's address in other case is not in use",
        ),
    ),
    (
        Fault::MailDomainNotChecked,
        info(
            "mail-domain-not-checked",
            "addresses outside the organisation's mail domains are accepted (no MailDomainNotFoundException)",
        ),
    ),
    (
        Fault::EntityByIdOnly,
        info(
            "entity-by-id-only",
            "entities are found by id only, not by name or email (EntityNotFoundException)",
        ),
    ),
    (
        Fault::OrganizationNotChecked,
        info(
            "organization-not-checked",
            "any organisation id is accepted (no OrganizationNotFoundException)",
        ),
    ),
    (
        Fault::UnknownTargetAccepted,
        info(
            "unknown-target-accepted",
            "an unknown or missing X-Amz-Target answers 200 `{}` instead of UnknownOperationException",
        ),
    ),
    (
        Fault::AnyMethodAccepted,
        info(
            "any-method-accepted",
            "restJson1 operations answer to any HTTP method, not only their own",
        ),
    ),
    (
        Fault::MalformedJsonAccepted,
        info(
            "malformed-json-accepted",
            "a body that is not a JSON object is read as `{}` instead of SerializationException",
        ),
    ),
    (
        Fault::UnsignedAccepted,
        info(
            "unsigned-accepted",
            "requests without an Authorization header are accepted",
        ),
    ),
    (
        Fault::BadSignatureAccepted,
        info(
            "bad-signature-accepted",
            "signatures are not verified (as moto does)",
        ),
    ),
    (
        Fault::UnknownAccessKeyAccepted,
        info(
            "unknown-access-key-accepted",
            "any access key id is accepted, and its signature is not checked",
        ),
    ),
    (
        Fault::ExpiredSignatureAccepted,
        info(
            "expired-signature-accepted",
            "X-Amz-Date is not checked against the clock: expired signatures are accepted",
        ),
    ),
    (
        Fault::AuthBeforeParse,
        info(
            "auth-before-parse",
            "authentication is checked before the body and the target, against AWS's order",
        ),
    ),
    (
        Fault::SignatureErrorXmlCode,
        info(
            "signature-error-xml-code",
            "a bad signature answers `SignatureDoesNotMatch` (the XML services' code) instead of InvalidSignatureException",
        ),
    ),
    (
        Fault::NonAsciiCrash,
        info(
            "non-ascii-crash",
            "a request body with any non-ASCII character crashes the handler (500 InternalFailure)",
        ),
    ),
    (
        Fault::WrongContentType,
        info(
            "wrong-content-type",
            "responses carry `Content-Type: text/plain` instead of the protocol's JSON type",
        ),
    ),
    (
        Fault::MissingRequestId,
        info(
            "missing-request-id",
            "responses carry no x-amzn-RequestId header",
        ),
    ),
];

const fn info(name: &'static str, description: &'static str) -> FaultInfo {
    FaultInfo { name, description }
}

static INFOS: std::sync::OnceLock<Vec<FaultInfo>> = std::sync::OnceLock::new();

/// Every deviation the embedded target can switch on, in catalogue order.
pub fn fault_catalogue() -> &'static [FaultInfo] {
    INFOS.get_or_init(|| CATALOGUE.iter().map(|(_, info)| *info).collect())
}

/// The deviations switched on for one target.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultSet {
    on: HashSet<Fault>,
}

impl FaultSet {
    /// Resolves names from the catalogue; the error carries the first unknown name.
    pub(crate) fn parse(names: &[String]) -> Result<FaultSet, String> {
        let mut on = HashSet::new();
        for name in names {
            let fault = CATALOGUE
                .iter()
                .find(|(_, info)| info.name == name.as_str())
                .map(|(fault, _)| *fault)
                .ok_or_else(|| name.clone())?;
            on.insert(fault);
        }
        Ok(FaultSet { on })
    }

    /// Whether a deviation is switched on.
    pub(crate) fn has(&self, fault: Fault) -> bool {
        self.on.contains(&fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_parse() {
        let names: HashSet<&str> = fault_catalogue().iter().map(|f| f.name).collect();
        assert_eq!(names.len(), CATALOGUE.len());
        for info in fault_catalogue() {
            assert!(
                info.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                info.name
            );
            let set = FaultSet::parse(&[info.name.to_string()]).unwrap();
            assert_eq!(set.on.len(), 1);
        }
        assert_eq!(FaultSet::parse(&["nope".into()]).unwrap_err(), "nope");
    }
}
