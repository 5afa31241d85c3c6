//! A test case — its typed input, the request it encodes to, how to sign it and the outcome expected — shared by every stage.

use std::fmt;

use serde::Serialize;

use crate::model::{Path, Value};
use crate::oracle::Expected;
use crate::protocol::HttpRequest;

/// How a case's request is signed; all but `Valid` test the target's authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Signing {
    /// SigV4 over the exact bytes sent, with the configured credentials.
    Valid,
    /// No `Authorization` header at all.
    Unsigned,
    /// A well-formed SigV4 header whose signature is wrong.
    BadSignature,
    /// Signed correctly with an access key the target does not know.
    UnknownAccessKey,
    /// Signed correctly but dated outside AWS's 15-minute window.
    Expired,
}

impl Signing {
    /// The signing faults, in a fixed order.
    pub const FAULTS: [Signing; 4] = [
        Signing::Unsigned,
        Signing::BadSignature,
        Signing::UnknownAccessKey,
        Signing::Expired,
    ];

    /// The class name of a signing fault (`unsigned`, `bad-signature`, ...); `valid` for [`Signing::Valid`].
    pub fn as_str(self) -> &'static str {
        match self {
            Signing::Valid => "valid",
            Signing::Unsigned => "unsigned",
            Signing::BadSignature => "bad-signature",
            Signing::UnknownAccessKey => "unknown-access-key",
            Signing::Expired => "expired",
        }
    }
}

/// The family a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// Every member satisfies its constraints: expect success.
    Valid,
    /// Constraints violated on purpose (one, or several where the class says so): expect the violation's error.
    Invalid,
    /// Broken at the protocol level: body, headers, method, path or signature.
    Malformed,
    /// A step of a stateful sequence.
    Scenario,
}

impl CaseKind {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Valid => "valid",
            CaseKind::Invalid => "invalid",
            CaseKind::Malformed => "malformed",
            CaseKind::Scenario => "scenario",
        }
    }

    /// Parses a command-line or report name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            CaseKind::Valid,
            CaseKind::Invalid,
            CaseKind::Malformed,
            CaseKind::Scenario,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// The JSON types a wrong-type injection can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JsonType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl JsonType {
    /// Every type, in a fixed order.
    pub const ALL: [JsonType; 5] = [
        JsonType::String,
        JsonType::Number,
        JsonType::Boolean,
        JsonType::Object,
        JsonType::Array,
    ];

    /// The type's name (`string`).
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
        }
    }
}

/// What a case is: the class of a valid case, the mutation of an invalid one, the malformation or signing fault of
/// a malformed one, or the scenario. Its string form ([`CaseClass::as_str`]) is what ids, reports and baselines
/// show, so it never changes for an existing class.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseClass {
    /// A sample request from the documents.
    Example,
    /// The shortest (smallest) valid value of a member.
    BoundaryMin,
    /// The longest (largest) valid value of a member.
    BoundaryMax,
    /// Each value of an enum.
    EnumValue,
    /// Valid values reaching the ends of a pattern's classes.
    PatternEdges,
    /// Present/absent combinations of the optional members.
    OptionalCombo,
    /// A well-formed value naming nothing that exists (a fixture's `unknown`).
    FixtureUnknown,
    /// A random valid input.
    Random,
    /// A required member left out.
    MissingRequired,
    /// A required member sent as null.
    NullRequired,
    /// One under the minimum length.
    LengthBelowMin,
    /// One over the maximum length.
    LengthAboveMax,
    /// A character the pattern does not allow, at the start.
    PatternStart,
    /// ... in the middle.
    PatternMiddle,
    /// ... at the end.
    PatternEnd,
    /// A character that passes a Unicode-aware class but not Java's ASCII one.
    PatternNonAscii,
    /// Every occurrence of a literal the pattern spells out replaced.
    PatternStructure,
    /// One repetition fewer than a bounded repetition allows.
    PatternRepeatFewer,
    /// One repetition more than a bounded repetition allows.
    PatternRepeatMore,
    /// An enum value in another letter case.
    EnumCase,
    /// A value outside the enum.
    EnumUnknown,
    /// The empty string for an enum.
    EnumEmpty,
    /// One under the minimum value.
    RangeBelowMin,
    /// One over the maximum value.
    RangeAboveMax,
    /// A value of another JSON type.
    WrongType(JsonType),
    /// A union with no member set.
    UnionEmpty,
    /// A union with two members set.
    UnionSeveral,
    /// Several constraints broken at once: the target must report each.
    Several,
    /// A protocol-level malformation, named by its protocol (`body-not-json`).
    Protocol(String),
    /// A signing fault.
    Signing(Signing),
    /// A scenario, by name.
    Scenario(String),
}

impl CaseClass {
    const NAMED: [(CaseClass, &'static str); 27] = [
        (CaseClass::Example, "example"),
        (CaseClass::BoundaryMin, "boundary-min"),
        (CaseClass::BoundaryMax, "boundary-max"),
        (CaseClass::EnumValue, "enum-value"),
        (CaseClass::PatternEdges, "pattern-edges"),
        (CaseClass::OptionalCombo, "optional-combo"),
        (CaseClass::FixtureUnknown, "fixture-unknown"),
        (CaseClass::Random, "random"),
        (CaseClass::MissingRequired, "missing-required"),
        (CaseClass::NullRequired, "null-required"),
        (CaseClass::LengthBelowMin, "length-min-1"),
        (CaseClass::LengthAboveMax, "length-max+1"),
        (CaseClass::PatternStart, "pattern-start"),
        (CaseClass::PatternMiddle, "pattern-middle"),
        (CaseClass::PatternEnd, "pattern-end"),
        (CaseClass::PatternNonAscii, "pattern-non-ascii"),
        (CaseClass::PatternStructure, "pattern-structure"),
        (CaseClass::PatternRepeatFewer, "pattern-repeat-fewer"),
        (CaseClass::PatternRepeatMore, "pattern-repeat-more"),
        (CaseClass::EnumCase, "enum-case"),
        (CaseClass::EnumUnknown, "enum-unknown"),
        (CaseClass::EnumEmpty, "enum-empty"),
        (CaseClass::RangeBelowMin, "range-min-1"),
        (CaseClass::RangeAboveMax, "range-max+1"),
        (CaseClass::UnionEmpty, "union-empty"),
        (CaseClass::UnionSeveral, "union-several"),
        (CaseClass::Several, "several-violations"),
    ];

    /// The stable string form (`length-max+1`, `type-number`, `body-not-json`, `unsigned`, `scenario:put-twice`).
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            CaseClass::WrongType(t) => Cow::Owned(format!("type-{}", t.as_str())),
            CaseClass::Protocol(name) => Cow::Borrowed(name),
            CaseClass::Signing(s) => Cow::Borrowed(s.as_str()),
            CaseClass::Scenario(name) => Cow::Owned(format!("scenario:{name}")),
            named => Cow::Borrowed(
                Self::NAMED
                    .iter()
                    .find(|(c, _)| c == named)
                    .map(|(_, s)| *s)
                    .unwrap_or("unknown"),
            ),
        }
    }

    /// Parses the string form; a name no class has is a protocol malformation (protocols own their names).
    pub fn parse(text: &str) -> Self {
        if let Some((class, _)) = Self::NAMED.iter().find(|(_, s)| *s == text) {
            return class.clone();
        }
        if let Some(t) = text.strip_prefix("type-")
            && let Some(t) = JsonType::ALL.into_iter().find(|j| j.as_str() == t)
        {
            return CaseClass::WrongType(t);
        }
        if let Some(name) = text.strip_prefix("scenario:") {
            return CaseClass::Scenario(name.to_string());
        }
        if let Some(s) = Signing::FAULTS.into_iter().find(|s| s.as_str() == text) {
            return CaseClass::Signing(s);
        }
        CaseClass::Protocol(text.to_string())
    }

    /// The constraint kind an invalid class violates.
    pub fn violated_kind(&self) -> Option<crate::model::ConstraintKind> {
        use crate::model::ConstraintKind as K;
        Some(match self {
            CaseClass::MissingRequired => K::Required,
            CaseClass::NullRequired => K::Null,
            CaseClass::LengthBelowMin | CaseClass::LengthAboveMax => K::Length,
            CaseClass::PatternStart
            | CaseClass::PatternMiddle
            | CaseClass::PatternEnd
            | CaseClass::PatternNonAscii
            | CaseClass::PatternStructure
            | CaseClass::PatternRepeatFewer
            | CaseClass::PatternRepeatMore => K::Pattern,
            CaseClass::EnumCase | CaseClass::EnumUnknown | CaseClass::EnumEmpty => K::Enum,
            CaseClass::RangeBelowMin | CaseClass::RangeAboveMax => K::Range,
            CaseClass::WrongType(_) => K::Type,
            CaseClass::UnionEmpty | CaseClass::UnionSeveral => K::Union,
            _ => return None,
        })
    }
}

impl fmt::Display for CaseClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// What a non-random case did, precisely enough to read and to key a baseline on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mutation {
    /// The member concerned; `None` for protocol-level breaks and whole-input classes.
    pub path: Option<Path>,
    /// The class.
    pub class: CaseClass,
    /// A human sentence saying what was done (`Name is 65 characters, one over the maximum of 64`).
    pub detail: String,
}

impl Serialize for Mutation {
    /// As reports write it: `{"member": "Items[].Name", "class": "length-max+1", "detail": "..."}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Mutation", 3)?;
        s.serialize_field("member", &self.member())?;
        s.serialize_field("class", &self.class.to_string())?;
        s.serialize_field("detail", &self.detail)?;
        s.end()
    }
}

impl Mutation {
    /// The member as reports and baselines show it: the site form of the path (`AlternateContact.Name`,
    /// `Items[].Name`).
    pub fn member(&self) -> Option<String> {
        self.path.as_ref().map(Path::site)
    }
}

/// One generated test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Stable id (`<Operation>-<kind>-<class>[-<member>]-<index>`): the same seed gives the same ids anywhere.
    pub id: String,
    /// Service name (`account`).
    pub service: String,
    /// Operation name (`PutAlternateContact`).
    pub operation: String,
    /// Valid, invalid, malformed or scenario.
    pub kind: CaseKind,
    /// The case's class (for random valid draws, [`CaseClass::Random`]).
    pub class: CaseClass,
    /// The typed input the request encodes (for malformed cases, the valid input it was built from).
    pub input: Value,
    /// What was done, for every class but random draws.
    pub mutation: Option<Mutation>,
    /// The request, unsigned; the body is bytes.
    pub request: HttpRequest,
    /// How to sign it.
    pub signing: Signing,
    /// What it should produce.
    pub expected: Expected,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_round_trip_and_stay_as_baselines_write_them() {
        for (class, name) in CaseClass::NAMED.iter() {
            assert_eq!(CaseClass::parse(name), *class);
            assert_eq!(class.as_str(), *name);
        }
        assert_eq!(
            CaseClass::parse("type-number"),
            CaseClass::WrongType(JsonType::Number)
        );
        assert_eq!(
            CaseClass::parse("unknown-access-key"),
            CaseClass::Signing(Signing::UnknownAccessKey)
        );
        assert_eq!(
            CaseClass::parse("scenario:put-twice").as_str(),
            "scenario:put-twice"
        );
        assert_eq!(
            CaseClass::parse("body-not-json"),
            CaseClass::Protocol("body-not-json".into())
        );
    }
}
