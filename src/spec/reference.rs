//! The spec file reference: a description of every key the loader reads, rendered as Markdown with the table paths,
//! types and requirements read from the loader's own structs (tests keep the descriptions and the structs in step).

use std::fmt::Write as _;

use super::schema::{Schema, schema};

/// What a table of a spec file is for, and its keys.
struct TableDoc {
    /// The loader struct that reads it.
    table: &'static str,
    title: &'static str,
    description: &'static str,
    keys: &'static [KeyDoc],
}

/// One key: its default (empty for a required key), what it means, and an example line of TOML.
struct KeyDoc {
    key: &'static str,
    default: &'static str,
    description: &'static str,
    example: &'static str,
}

const fn key(
    key: &'static str,
    default: &'static str,
    description: &'static str,
    example: &'static str,
) -> KeyDoc {
    KeyDoc {
        key,
        default,
        description,
        example,
    }
}

/// Every table and key of a spec file, in the order the reference shows them.
const TABLES: &[TableDoc] = &[
    TableDoc {
        table: "RawFile",
        title: "The file",
        description: "A spec file describes one service. Besides `[service]`, every table is optional to serde; \
            the loader also asks for at least one `[documents]` entry, and for `[service.on_violation]` or an \
            `[[error]]` named ValidationException.",
        keys: &[
            key(
                "service",
                "",
                "The service: name, protocol, signing, region.",
                "service = { name = \"example\", title = \"Example\", protocol = \"awsJson1_1\", signing_name = \"example\", target_prefix = \"ExampleService\", api_version = \"2024-01-01\", region = { default = \"us-east-1\" }, source = \"api: Welcome\" }",
            ),
            key(
                "documents",
                "no documents",
                "The documents every `source` cites, by id.",
                "documents = { api = { file = \"seeds/example.api.txt\", title = \"Example API reference\" } }",
            ),
            key(
                "fixtures",
                "no fixtures",
                "Values that must name something existing on the target, by key `<service>.<Name>`; users override them with `--fixture KEY=VALUE`.",
                "fixtures = { \"example.TableName\" = { default = \"my-table\", description = \"a table of the caller's\", source = \"api: TableName\" } }",
            ),
            key(
                "shape",
                "no shapes",
                "Named shapes that members refer to with `shape = \"...\"`.",
                "shape = [{ name = \"Name\", type = \"string\", min_length = 1, max_length = 64, source = \"api: Name\" }]",
            ),
            key(
                "error",
                "no errors",
                "The errors of the service; operations and expectations name them.",
                "error = [{ name = \"ValidationException\", status = 400, fault = \"client\", source = \"api: Errors\" }]",
            ),
            key(
                "operation",
                "no operations",
                "The operations, each with its input and output members.",
                "operation = [{ name = \"PutThing\", description = \"Stores a thing.\", source = \"api: PutThing\" }]",
            ),
            key(
                "disagreement",
                "no disagreements",
                "Where documents contradict each other: which side the file follows, and why.",
                "disagreement = [{ about = \"the values of Status\", sides = [\"api: lists A\", \"model: lists A | B\"], follows = \"model\", why = \"the SDKs accept B\" }]",
            ),
            key(
                "scenario",
                "no scenarios",
                "Stateful sequences of calls that show whether a target keeps state as AWS does.",
                "scenario = [{ name = \"put-then-get\", description = \"Get returns what Put stored\", source = \"api: PutThing\", step = [{ name = \"put\", operation = \"PutThing\" }] }]",
            ),
            key(
                "snapshots",
                "no redactions or skips",
                "How responses are normalised before they are snapshotted.",
                "snapshots = { redact = [{ pattern = '\\b\\d{12}\\b', with = \"<account-id>\" }] }",
            ),
            key(
                "restore",
                "nothing restored",
                "State a run may change on a real account, and how to record and put it back.",
                "restore = [{ name = \"things\", description = \"the caller's things\", source = \"api: PutThing\", changed_by = [\"PutThing\"], read = { name = \"read\", operation = \"GetThing\" }, put_back = { name = \"put-back\", operation = \"PutThing\" } }]",
            ),
        ],
    },
    TableDoc {
        table: "RawService",
        title: "The service",
        description: "Who the service is and how requests reach it.",
        keys: &[
            key(
                "name",
                "",
                "The name users type after `--service`: lower-case letters, digits and `-`, unique among the spec files.",
                "name = \"workmail\"",
            ),
            key(
                "title",
                "",
                "The service's full name, for reports.",
                "title = \"Amazon WorkMail\"",
            ),
            key(
                "protocol",
                "",
                "The wire protocol: `restJson1`, `awsJson1_0` or `awsJson1_1`.",
                "protocol = \"awsJson1_1\"",
            ),
            key(
                "signing_name",
                "",
                "The SigV4 service name requests are signed for.",
                "signing_name = \"workmail\"",
            ),
            key(
                "target_prefix",
                "none",
                "The `X-Amz-Target` prefix; required for awsJson services, not allowed for restJson1.",
                "target_prefix = \"WorkMailService\"",
            ),
            key(
                "api_version",
                "",
                "The API version the documents describe.",
                "api_version = \"2017-10-01\"",
            ),
            key(
                "region",
                "",
                "The region requests are signed for: `fixed` alone, or `default` with optional `allowed`.",
                "region = { fixed = \"us-east-1\" }",
            ),
            key(
                "source",
                "",
                "Where the service's description comes from: `<document id>: <where in it>`.",
                "source = \"api: Welcome\"",
            ),
            key(
                "on_violation",
                "ValidationException's status and name, when such an `[[error]]` is declared",
                "The error a constraint violation gets unless a member says otherwise.",
                "on_violation = { accept = [\"ValidationException\"], source = \"api: Errors\" }",
            ),
            key(
                "model",
                "none: the file stands alone",
                "The service of AWS's published models (botocore's name) this file overlays: with the models loaded, the file adds to that model instead of restating it. Operations, members and constraints it leaves out come from the model; where the two differ, the file wins, and `conform spec check` reports each difference (an error unless a `[[disagreement]]` lists it in `overrides`). Without the models, the file is used alone.",
                "model = \"account\"",
            ),
        ],
    },
    TableDoc {
        table: "RawRegion",
        title: "The region rule",
        description: "Either `fixed` alone (a service with one global endpoint), or `default` with an optional list of `allowed` regions.",
        keys: &[
            key(
                "fixed",
                "none",
                "The only region requests are signed for, whatever region the user set.",
                "fixed = \"us-east-1\"",
            ),
            key(
                "default",
                "none",
                "The region used when the user sets none.",
                "default = \"us-east-1\"",
            ),
            key(
                "allowed",
                "any region",
                "The regions the service exists in; `default` must be one of them.",
                "allowed = [\"us-east-1\", \"us-west-2\", \"eu-west-1\"]",
            ),
        ],
    },
    TableDoc {
        table: "RawDocument",
        title: "A document",
        description: "One document the spec is derived from; its id is the table's key and `source` values cite it as `<id>: <where in it>`.",
        keys: &[
            key(
                "file",
                "",
                "The document's file, relative to the shared documents.",
                "file = \"seeds/workmail-UpdatePrimaryEmailAddress.api.txt\"",
            ),
            key(
                "title",
                "",
                "The document's title.",
                "title = \"UpdatePrimaryEmailAddress - Amazon WorkMail API reference\"",
            ),
        ],
    },
    TableDoc {
        table: "RawFixture",
        title: "A fixture",
        description: "A value that must name something existing on the target (an organization, a user); input members take it in valid cases with `fixture = \"<key>\"`.",
        keys: &[
            key(
                "default",
                "",
                "The value used unless `--fixture KEY=VALUE` overrides it; it must pass the constraints of every member that takes it.",
                "default = \"m-00000000000000000000000000000000\"",
            ),
            key(
                "description",
                "",
                "What the value names, shown to users.",
                "description = \"an organization of the caller's\"",
            ),
            key(
                "source",
                "",
                "Where the value's form comes from.",
                "source = \"api: OrganizationId\"",
            ),
            key(
                "unknown",
                "none",
                "A well-formed value that names nothing; needs `on_unknown`.",
                "unknown = \"m-ffffffffffffffffffffffffffffffff\"",
            ),
            key(
                "on_unknown",
                "none",
                "What a request naming the `unknown` value gets; needs `unknown`.",
                "on_unknown = { accept = [\"OrganizationNotFoundException\"] }",
            ),
        ],
    },
    TableDoc {
        table: "RawExpect",
        title: "An expectation",
        description: "What a request gets: `status` alone for a success, `accept` for the errors allowed (by `[[error]]` name), both to allow either.",
        keys: &[
            key(
                "status",
                "the operation's `success_status` where a success is expected",
                "A 2xx success status.",
                "status = 200",
            ),
            key(
                "accept",
                "no errors",
                "The errors allowed, by `[[error]]` name; their statuses come from the errors.",
                "accept = [\"ValidationException\"]",
            ),
            key(
                "uncertain",
                "false",
                "True when no capture of real AWS confirms the expectation: a target that answers otherwise is reported apart, never as a deviation.",
                "uncertain = true",
            ),
            key(
                "note",
                "none",
                "Why, for readers and reports.",
                "note = \"the documents do not say which error AWS gives\"",
            ),
            key(
                "source",
                "none",
                "Where the expectation comes from.",
                "source = \"api: Errors / ValidationException\"",
            ),
            key(
                "constraints",
                "every kind",
                "Only in a member's `on_violation`: the constraint kinds the rule covers (required, null, length, range, pattern, enum, type, union).",
                "constraints = [\"pattern\", \"length\"]",
            ),
        ],
    },
    TableDoc {
        table: "RawMember",
        title: "A shape or member",
        description: "A named `[[shape]]`, or a member of an operation's input or output, an error or a structure. It takes either `shape` (a named shape) or `type` with constraints. \
            A `[[shape]]` may not carry `shape`, `required`, `fixture`, `email_domain_fixture` or `on_violation`; only input members may carry `fixture`, `email_domain_fixture` and `on_violation`.",
        keys: &[
            key(
                "name",
                "",
                "The shape's name, or the member's JSON key.",
                "name = \"OrganizationId\"",
            ),
            key(
                "shape",
                "none",
                "The named `[[shape]]` the member has; no constraints beside it.",
                "shape = \"OrganizationId\"",
            ),
            key(
                "type",
                "none",
                "The member's type: string, integer, long, boolean, timestamp, structure or list.",
                "type = \"string\"",
            ),
            key(
                "required",
                "false",
                "Whether a request must carry the member.",
                "required = true",
            ),
            key(
                "min_length",
                "no bound",
                "Strings: the fewest characters; lists: the fewest items.",
                "min_length = 1",
            ),
            key(
                "max_length",
                "no bound",
                "Strings: the most characters; lists: the most items.",
                "max_length = 64",
            ),
            key(
                "min",
                "no bound",
                "Integers and longs: the smallest valid value.",
                "min = 1",
            ),
            key(
                "max",
                "no bound",
                "Integers and longs: the largest valid value.",
                "max = 100",
            ),
            key(
                "pattern",
                "none",
                "Strings: a regex the value must match, in the Java syntax AWS's documents use (no lookaround).",
                "pattern = '^m-[0-9a-f]{32}$'",
            ),
            key(
                "enum",
                "none",
                "Strings: the valid values.",
                "enum = [\"BILLING\", \"OPERATIONS\", \"SECURITY\"]",
            ),
            key(
                "sensitive",
                "false",
                "Whether values are secret: they never appear in output.",
                "sensitive = true",
            ),
            key(
                "item",
                "none",
                "Lists: the named `[[shape]]` of the items; required for a list.",
                "item = \"Tag\"",
            ),
            key(
                "member",
                "no members",
                "Structures: their members, each a table of these keys.",
                "member = [{ name = \"Key\", type = \"string\", required = true }]",
            ),
            key(
                "fixture",
                "none",
                "Input members: the fixture whose value the member takes in valid cases.",
                "fixture = \"workmail.OrganizationId\"",
            ),
            key(
                "email_domain_fixture",
                "none",
                "Input string members: the fixture naming the mail domain valid values use.",
                "email_domain_fixture = \"workmail.Domain\"",
            ),
            key(
                "on_violation",
                "the service's `on_violation`",
                "Input members: what a violation of the member's constraints gets, per constraint kind.",
                "on_violation = [{ constraints = [\"pattern\"], accept = [\"EntityNotFoundException\"] }]",
            ),
            key(
                "source",
                "the enclosing operation's, error's or shape's source; required for a `[[shape]]`",
                "Where the member's constraints come from.",
                "source = \"api: Request Parameters / OrganizationId\"",
            ),
        ],
    },
    TableDoc {
        table: "RawError",
        title: "An error",
        description: "One error of the service, as its documents describe it.",
        keys: &[
            key(
                "name",
                "",
                "The error type on the wire.",
                "name = \"ValidationException\"",
            ),
            key(
                "status",
                "",
                "Its HTTP status: 4xx for a client fault, 5xx for a server fault.",
                "status = 400",
            ),
            key("fault", "", "`client` or `server`.", "fault = \"client\""),
            key(
                "retryable",
                "false",
                "Whether clients retry it.",
                "retryable = true",
            ),
            key(
                "description",
                "none",
                "What it means.",
                "description = \"One of the input parameters was invalid.\"",
            ),
            key(
                "source",
                "",
                "Where it comes from.",
                "source = \"api: Errors / ValidationException\"",
            ),
            key(
                "member",
                "no members",
                "The members of its body.",
                "member = [{ name = \"message\", type = \"string\" }]",
            ),
        ],
    },
    TableDoc {
        table: "RawOperation",
        title: "An operation",
        description: "One operation: how it is called, its members, errors and examples.",
        keys: &[
            key(
                "name",
                "",
                "The operation's name, PascalCase as in AWS's documents.",
                "name = \"UpdatePrimaryEmailAddress\"",
            ),
            key(
                "role",
                "seed",
                "`seed` (from the seed documents) or `companion` (needed to observe what seed operations did).",
                "role = \"companion\"",
            ),
            key(
                "method",
                "none; awsJson operations are always `POST /`",
                "restJson1 only, and required there: the HTTP method in upper case.",
                "method = \"POST\"",
            ),
            key(
                "path",
                "none; awsJson operations are always `POST /`",
                "restJson1 only, and required there: the request path.",
                "path = \"/putAlternateContact\"",
            ),
            key(
                "mutates",
                "false",
                "Whether the operation changes state on the target.",
                "mutates = true",
            ),
            key(
                "guarded",
                "none",
                "Why the operation is off on real targets unless named with `--include`.",
                "guarded = \"sends a one-time code to the new address\"",
            ),
            key(
                "response_body",
                "json",
                "The success body: `json` or `empty` (then no output members).",
                "response_body = \"empty\"",
            ),
            key(
                "success_status",
                "200",
                "The 2xx status of a success.",
                "success_status = 204",
            ),
            key(
                "on_state",
                "none",
                "Errors a valid request may also get, depending on the target's state.",
                "on_state = { accept = [\"ResourceNotFoundException\"] }",
            ),
            key(
                "errors",
                "no errors",
                "The errors the documents list for it, by `[[error]]` name.",
                "errors = [\"ValidationException\", \"EntityNotFoundException\"]",
            ),
            key(
                "description",
                "",
                "What it does.",
                "description = \"Updates the primary email of a user.\"",
            ),
            key(
                "source",
                "",
                "Where it comes from.",
                "source = \"api: UpdatePrimaryEmailAddress\"",
            ),
            key(
                "input",
                "no members",
                "The request members, in document order.",
                "input = [{ name = \"OrganizationId\", shape = \"OrganizationId\", required = true }]",
            ),
            key(
                "output",
                "no members",
                "The response members, in document order.",
                "output = [{ name = \"UserId\", type = \"string\" }]",
            ),
            key(
                "example",
                "no examples",
                "The documents' examples, run as cases.",
                "example = [{ title = \"Example 1\", source = \"api: Examples\", input = { Name = \"x\" }, expect = { status = 200 } }]",
            ),
        ],
    },
    TableDoc {
        table: "RawExample",
        title: "An example",
        description: "One example of the documents: an input and what it gets. An input expected to succeed must pass every constraint.",
        keys: &[
            key(
                "title",
                "",
                "What it shows.",
                "title = \"Example 1: set the billing contact\"",
            ),
            key(
                "source",
                "",
                "Where it comes from.",
                "source = \"api: Examples / Example 1\"",
            ),
            key(
                "note",
                "none",
                "Why it differs from the document, if it does.",
                "note = \"the document sends lower case; the enum is upper case\"",
            ),
            key(
                "setup",
                "no calls",
                "Calls made first, to create what the example names.",
                "setup = [{ operation = \"CreateThing\", input = { Name = \"x\" } }]",
            ),
            key(
                "input",
                "",
                "The request's members.",
                "input = { Name = \"x\" }",
            ),
            key("expect", "", "What it gets.", "expect = { status = 200 }"),
        ],
    },
    TableDoc {
        table: "RawSetup",
        title: "A setup call",
        description: "A call an example makes before its own.",
        keys: &[
            key(
                "operation",
                "",
                "An operation of the same service.",
                "operation = \"CreateThing\"",
            ),
            key("input", "", "Its input.", "input = { Name = \"x\" }"),
        ],
    },
    TableDoc {
        table: "RawDisagreement",
        title: "A disagreement",
        description: "Where documents contradict each other, recorded rather than silently resolved.",
        keys: &[
            key(
                "about",
                "",
                "What they disagree on.",
                "about = \"the values of Status\"",
            ),
            key(
                "sides",
                "",
                "What each side says, with its source.",
                "sides = [\"api: lists A | B\", \"model: lists A | B | C\"]",
            ),
            key(
                "follows",
                "",
                "The side this file follows.",
                "follows = \"model\"",
            ),
            key("why", "", "Why.", "why = \"the SDKs accept C\""),
            key(
                "overrides",
                "none",
                "Where, because of this disagreement, the file overrides the model it overlays: places as `conform spec check` names them (`Name.max_length`, `PutThing.input.Name.required`, `PutThing.errors`). `spec check` then reports them as notes, not errors; a place where the file and the model agree is an error.",
                "overrides = [\"Name.max_length\"]",
            ),
        ],
    },
    TableDoc {
        table: "RawScenario",
        title: "A scenario",
        description: "A stateful sequence of calls. String values in step inputs and assertions may hold references: `${param.NAME}`, `${draw.NAME.Member}`, `${step.NAME.output.Path}` and `${fixture.KEY}`.",
        keys: &[
            key(
                "name",
                "",
                "Kebab-case name, unique in the service.",
                "name = \"put-then-get\"",
            ),
            key(
                "description",
                "",
                "What it shows.",
                "description = \"Get returns what Put stored\"",
            ),
            key(
                "source",
                "",
                "Where the behaviour it checks is documented.",
                "source = \"api: PutThing\"",
            ),
            key(
                "for_each",
                "no parameters",
                "Parameters: the scenario runs once per combination of values.",
                "for_each = { type = [\"BILLING\", \"OPERATIONS\"] }",
            ),
            key(
                "draw",
                "no draws",
                "Inputs drawn property-based (and shrunk on failure): name to the operation a valid input is drawn for.",
                "draw = { contact = \"PutAlternateContact\" }",
            ),
            key(
                "step",
                "none, which the loader refuses",
                "The calls, in order; a scenario needs at least one.",
                "step = [{ name = \"get\", operation = \"GetThing\" }]",
            ),
            key(
                "cleanup",
                "no calls",
                "Calls that undo what the steps did; they always run.",
                "cleanup = [{ name = \"delete\", operation = \"DeleteThing\", expect = { status = 200, accept = [\"ResourceNotFoundException\"] } }]",
            ),
        ],
    },
    TableDoc {
        table: "RawStep",
        title: "A step",
        description: "One call of a scenario, or of a restore.",
        keys: &[
            key(
                "name",
                "",
                "Name, unique in the scenario; later steps refer to its output by it.",
                "name = \"put\"",
            ),
            key(
                "operation",
                "",
                "An operation of the same service.",
                "operation = \"PutThing\"",
            ),
            key(
                "input",
                "an empty input",
                "The input, with references.",
                "input = { Name = \"${draw.thing.Name}\" }",
            ),
            key(
                "expect",
                "success",
                "The expected outcome.",
                "expect = { accept = [\"ResourceNotFoundException\"] }",
            ),
            key(
                "assert",
                "no assertions",
                "What the response body must hold.",
                "assert = [{ path = \"Thing.Name\", equals = \"${draw.thing.Name}\" }]",
            ),
            key(
                "snapshot",
                "true",
                "Whether the response is snapshotted: false for steps that read state the scenario did not set.",
                "snapshot = false",
            ),
            key(
                "poll",
                "sent once",
                "Re-send the step until its expectation and assertions hold or the tries run out (state AWS changes \
                 asynchronously); the last answer is judged. Not in restores.",
                "poll = { tries = 40, interval_ms = 50 }",
            ),
            key(
                "may_succeed",
                "false",
                "With an uncertain `expect` of an error: no document settles whether the request fails at all, so \
                 a success is reported uncertain, not as a deviation.",
                "may_succeed = true",
            ),
        ],
    },
    TableDoc {
        table: "RawPoll",
        title: "Polling",
        description: "How a step is re-sent until it holds: bounded, so that a step that never settles still ends.",
        keys: &[
            key(
                "tries",
                "",
                "Sends at most, the first included: 1 to 100.",
                "tries = 40",
            ),
            key(
                "interval_ms",
                "",
                "Milliseconds between two sends: at most 5000.",
                "interval_ms = 50",
            ),
        ],
    },
    TableDoc {
        table: "RawAssertion",
        title: "An assertion",
        description: "A claim about a step's response body: exactly one of `equals`, `contains`, `one_of` or `absent = true`.",
        keys: &[
            key(
                "path",
                "",
                "Dotted member path in the response body.",
                "path = \"AlternateContact.Name\"",
            ),
            key(
                "equals",
                "none",
                "The value equals this, after references are replaced.",
                "equals = \"${param.type}\"",
            ),
            key(
                "contains",
                "none",
                "The value is a list that contains this.",
                "contains = \"${draw.thing.Name}\"",
            ),
            key(
                "absent",
                "none",
                "The member is absent (or null).",
                "absent = true",
            ),
            key(
                "one_of",
                "none",
                "The value equals one of these, after references are replaced.",
                "one_of = [\"ACCEPTED\", \"COMPLETED\"]",
            ),
        ],
    },
    TableDoc {
        table: "RawSnapshots",
        title: "Snapshot rules",
        description: "How responses are normalised before they are snapshotted.",
        keys: &[
            key(
                "redact",
                "no redactions",
                "Replacements of volatile values, applied in order.",
                "redact = [{ path = \"EnabledDate\", with = \"<timestamp>\" }]",
            ),
            key(
                "skip",
                "no skips",
                "Body paths left out of some snapshots, each with the reason.",
                "skip = [{ cases = \"DescribeUser-*\", path = \"UserId\", reason = \"ids differ between targets\" }]",
            ),
        ],
    },
    TableDoc {
        table: "RawRedaction",
        title: "A redaction",
        description: "A volatile value replaced by a stable placeholder: exactly one of `pattern` or `path`.",
        keys: &[
            key(
                "pattern",
                "none",
                "Every match of a regex (Rust syntax) in the snapshot text.",
                "pattern = '\\b\\d{8}T\\d{6}Z\\b'",
            ),
            key(
                "path",
                "none",
                "The value at a dotted path of the response body.",
                "path = \"EnabledDate\"",
            ),
            key("with", "", "The placeholder.", "with = \"<timestamp>\""),
        ],
    },
    TableDoc {
        table: "RawSkip",
        title: "A snapshot skip",
        description: "A body path left out of the snapshots of matching cases.",
        keys: &[
            key(
                "cases",
                "",
                "Case ids it applies to: `*` matches any run of characters.",
                "cases = \"DescribeUser-*\"",
            ),
            key("path", "", "Dotted body path.", "path = \"UserId\""),
            key(
                "reason",
                "",
                "Why the path cannot be compared; not empty.",
                "reason = \"entity ids differ from one target to another\"",
            ),
        ],
    },
    TableDoc {
        table: "RawRestore",
        title: "A restore",
        description: "State that cases may change on a real account, read before the first change and put back at the end (also after Ctrl-C or a failure).",
        keys: &[
            key("name", "", "Its name.", "name = \"alternate-contacts\""),
            key(
                "description",
                "",
                "What it covers.",
                "description = \"the alternate contacts of the caller's account\"",
            ),
            key(
                "source",
                "",
                "Where the operations it uses are documented.",
                "source = \"api: PutAlternateContact\"",
            ),
            key(
                "for_each",
                "no parameters",
                "Parameters: one recording per combination of values.",
                "for_each = { type = [\"BILLING\", \"OPERATIONS\", \"SECURITY\"] }",
            ),
            key(
                "changed_by",
                "",
                "Operations whose cases can change this state.",
                "changed_by = [\"PutAlternateContact\", \"DeleteAlternateContact\"]",
            ),
            key(
                "read",
                "",
                "Reads the current state; its output is `${step.read.output...}` for `put_back`.",
                "read = { name = \"read\", operation = \"GetAlternateContact\" }",
            ),
            key(
                "absent_error",
                "none",
                "The error `read` answers when the state is absent; needs `remove`.",
                "absent_error = \"ResourceNotFoundException\"",
            ),
            key(
                "put_back",
                "",
                "Puts the recorded state back.",
                "put_back = { name = \"put-back\", operation = \"PutAlternateContact\", input = { Name = \"${step.read.output.AlternateContact.Name}\" } }",
            ),
            key(
                "remove",
                "none",
                "Removes what the run created where nothing was before; needs `absent_error`.",
                "remove = { name = \"remove\", operation = \"DeleteAlternateContact\" }",
            ),
        ],
    },
];

/// The spec file reference in Markdown: `conform spec reference`, committed as docs/spec-reference.md.
pub fn reference_markdown() -> String {
    render(&schema())
}

fn render(schema: &Schema) -> String {
    let mut out = String::new();
    out.push_str(
        "# Spec file reference\n\n\
         <!-- Generated by `conform spec reference > docs/spec-reference.md` from the loader's own structs; do not edit. -->\n\n\
         A spec file is TOML and describes one service; `conform spec template` prints a starting file that loads as \
         is, and `conform spec check FILE` validates one with located diagnostics. The built-in specs \
         (`specs/account.toml`, `specs/workmail.toml`) are complete examples.\n\n\
         Every table below lists the places in a file where it appears (`<name>` stands for a key of your choosing), \
         then its keys. A key is required when a file that leaves it out does not load; some keys are further \
         required or forbidden by context, as their descriptions say. Every `source` value cites a declared document: \
         `<document id>: <where in it>`, several separated by `;`.\n",
    );
    for doc in TABLES {
        let table = &schema.tables[doc.table];
        let places: Vec<String> = table
            .paths
            .iter()
            .map(|p| {
                if p.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{p}`")
                }
            })
            .collect();
        let _ = write!(
            out,
            "\n## {}\n\n{}\n\nWhere: {}.\n\n| Key | Type | Required | Default | Description | Example |\n|---|---|---|---|---|---|\n",
            doc.title,
            doc.description,
            places.join(", ")
        );
        for key in doc.keys {
            let schema_key = &table.keys[key.key];
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | `{}` |",
                key.key,
                schema_key.kind,
                if schema_key.required { "yes" } else { "no" },
                if schema_key.required {
                    "—"
                } else {
                    key.default
                },
                cell(key.description),
                cell(key.example)
            );
        }
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_struct_and_key_of_the_loader_is_described_and_nothing_else() {
        let schema = schema();
        let described: BTreeSet<&str> = TABLES.iter().map(|t| t.table).collect();
        let read: BTreeSet<&str> = schema.tables.keys().copied().collect();
        assert_eq!(
            described, read,
            "TABLES in src/spec/reference.rs must describe exactly the structs of src/spec/raw.rs"
        );
        assert_eq!(described.len(), TABLES.len(), "a struct described twice");
        for doc in TABLES {
            let described: Vec<&str> = doc.keys.iter().map(|k| k.key).collect();
            let read: BTreeSet<&str> = schema.tables[doc.table].keys.keys().copied().collect();
            assert_eq!(
                described.iter().copied().collect::<BTreeSet<_>>(),
                read,
                "the keys described for `{}` differ from the keys serde reads",
                doc.table
            );
            assert_eq!(
                described.len(),
                read.len(),
                "a key of `{}` described twice",
                doc.table
            );
        }
    }

    #[test]
    fn optional_keys_say_their_default_and_required_keys_have_none() {
        let schema = schema();
        for doc in TABLES {
            for key in doc.keys {
                let required = schema.tables[doc.table].keys[key.key].required;
                assert_eq!(
                    key.default.is_empty(),
                    required,
                    "`{}.{}`: a required key has no default, an optional one says what leaving it out means",
                    doc.table,
                    key.key
                );
            }
        }
    }

    #[test]
    fn every_example_is_toml_setting_its_own_key() {
        for doc in TABLES {
            for key in doc.keys {
                let parsed: toml::Table = toml::from_str(key.example).unwrap_or_else(|e| {
                    panic!("the example of `{}.{}` is no TOML: {e}", doc.table, key.key)
                });
                assert_eq!(
                    parsed.keys().collect::<Vec<_>>(),
                    [key.key],
                    "the example of `{}.{}` sets another key",
                    doc.table,
                    key.key
                );
            }
        }
    }

    #[test]
    fn the_committed_reference_is_the_generated_one() {
        let committed = include_str!("../../docs/spec-reference.md");
        assert!(
            committed == reference_markdown(),
            "docs/spec-reference.md is out of date: run `conform spec reference > docs/spec-reference.md`"
        );
    }

    #[test]
    fn the_reference_shows_paths_types_and_requirements_from_the_schema() {
        let text = reference_markdown();
        assert!(text.contains("Where: `[service]`."), "{text}");
        assert!(text.contains("`[[operation.input]]`"));
        assert!(text.contains("| `name` | string | yes | — |"));
        assert!(text.contains("| `enum` | array of strings | no | none |"));
    }
}
