//! A starting spec file: `conform spec template` prints it, and it loads as is.

use super::model::Protocol;

/// A spec file for `service` over `protocol` with one operation, a constrained input member and an error rule.
pub fn starter(service: &str, protocol: Protocol) -> String {
    let pascal: String = service
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let addressing = match protocol {
        Protocol::RestJson1 => String::new(),
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => format!(
            "# awsJson: every call is `POST /`; `X-Amz-Target: <target_prefix>.<Operation>` names the operation.\n\
             target_prefix = \"{pascal}Service\"\n"
        ),
    };
    let route = match protocol {
        Protocol::RestJson1 => {
            "# restJson1: the method and path of the document's Request Syntax.\nmethod = \"POST\"\npath = \"/putThing\"\n"
        }
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => "",
    };
    let protocol = protocol.as_str();
    format!(
        r#"# A spec file for `{service}`: every key is described in docs/spec-reference.md (`conform spec reference`).
# Check it with `conform spec check FILE`; run it with `conform --specs DIR run --service {service} ...`.
# Every constraint and error must trace back to a document: `source = "<document id>: <where in it>"`,
# with the ids declared under [documents]. Replace the placeholders below with what your documents say.

[service]
name = "{service}"
title = "{pascal}"
protocol = "{protocol}"
signing_name = "{service}"
{addressing}api_version = "2024-01-01"
# `fixed` for a service with one global endpoint; otherwise a `default`, and optionally the `allowed` regions.
region = {{ default = "us-east-1" }}
source = "api: Welcome"
# To add to AWS's published model of the service instead of restating all of it, name the model (`conform spec
# list` lists them); `conform spec check` then checks this file against it.
# model = "{service}"

# The error a constraint violation gets unless a member says otherwise.
[service.on_violation]
accept = ["ValidationException"]
source = "api: Errors / ValidationException"

# The documents the spec is derived from, by id.
[documents]
api = {{ file = "seeds/{service}.api.txt", title = "{pascal} API reference" }}

# Shapes several members share; a member takes one with `shape = "<name>"`.
[[shape]]
name = "ThingName"
type = "string"
min_length = 1
max_length = 64
pattern = '^[A-Za-z0-9-]+$'
source = "api: Request Parameters / Name"

# Errors: `status` 4xx with fault "client", 5xx with fault "server".
[[error]]
name = "ValidationException"
status = 400
fault = "client"
description = "One of the input parameters was invalid."
source = "api: Errors / ValidationException"
[[error.member]]
name = "message"
type = "string"

[[error]]
name = "ThingNotFoundException"
status = 404
fault = "client"
description = "The thing does not exist."
source = "api: Errors / ThingNotFoundException"

# One operation. Its input members carry the constraints cases are generated from.
[[operation]]
name = "PutThing"
{route}mutates = true
description = "Stores a thing."
source = "api: PutThing"
errors = ["ValidationException", "ThingNotFoundException"]
# Errors a valid request may also get, depending on the target's state.
on_state = {{ accept = ["ThingNotFoundException"], source = "api: Errors / ThingNotFoundException" }}

[[operation.input]]
name = "Name"
shape = "ThingName"
required = true

[[operation.input]]
name = "Size"
type = "integer"
min = 1
max = 100
source = "api: Request Parameters / Size"
# An error rule: which error a violation of this member's constraints gets, here for the range.
# `uncertain = true` because no capture of real AWS confirms it: a target answering otherwise is reported apart.
[[operation.input.on_violation]]
constraints = ["range"]
accept = ["ValidationException"]
uncertain = true
note = "the document does not say which error an out-of-range Size gets"
source = "api: Request Parameters / Size"

[[operation.output]]
name = "Name"
shape = "ThingName"

# The documents' examples, run as cases; an example expected to succeed must pass every constraint.
[[operation.example]]
title = "Example 1: store a thing"
source = "api: Examples / Example 1"
input = {{ Name = "my-thing", Size = 10 }}
expect = {{ status = 200 }}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_loads_with_the_real_loader_for_every_protocol() {
        for protocol in [
            Protocol::RestJson1,
            Protocol::AwsJson1_0,
            Protocol::AwsJson1_1,
        ] {
            let text = starter("my-service", protocol);
            let specs = super::super::load_sources([("template.toml".to_string(), text.clone())])
                .unwrap_or_else(|e| panic!("{}: {e:?}\n{text}", protocol.as_str()));
            let service = &specs.services["my-service"];
            assert_eq!(service.protocol, protocol);
            let op = &service.operations["PutThing"];
            let size = op.input_member("Size").expect("Size member");
            assert_eq!(size.on_violation.len(), 1, "the error rule loads");
            assert_eq!(op.examples.len(), 1);
        }
    }
}
