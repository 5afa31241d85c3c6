#!/usr/bin/env python3
"""What botocore would send: the reference side of conform's protocol differential test.

Reads JSON lines from stdin, one input each:

    {"service": "dynamodb", "operation": "PutItem", "protocol": "json", "input": <typed JSON>}

`service` is botocore's service directory name, `protocol` botocore's protocol name (`json`, `rest-json`, `query`,
`ec2`, `smithy-rpc-v2-cbor`, `rest-xml`; the service's own when left out) and `input` conform's typed JSON form (see src/model/value.rs): objects, arrays and
scalars, with {"$blob": base64}, {"$timestamp": RFC 3339}, {"$raw": JSON} and {"$document": JSON} for what JSON
cannot tell apart. The input is converted to the Python types botocore expects, using the operation's shapes.

Writes one JSON line per input, in order:

    {"ok": true, "method": "POST", "url_path": "/things/a%2Fb", "query": ["k=v", ...],
     "headers": {"Content-Type": "application/json", ...}, "body": "<text>" | null, "body_base64": "..." | null,
     "host_prefix": "data-" | null, "validation": ["..."]}

`query` holds the query string as sent, split at `&` (the URI template's static query first, then the parameters,
escaped by botocore, lists repeated);
`headers` only what the serializer sets from the input and the protocol (Content-Type, X-Amz-Target, ...), not what
the client adds later (User-Agent, signing). `validation` lists what botocore's ParamValidator objects to (empty
when the input is valid). When serialising raises, the line is {"ok": false, "error": "<type>: <message>"}.

For `query` and `ec2` the serializer's body is a dict of form fields; `body` is then that dict form-encoded as
botocore's `AWSPreparedRequest` sends it (`urllib.parse.urlencode(..., doseq=True)` over UTF-8 pairs).

A CBOR body (`smithy-rpc-v2-cbor`) is bytes that are no UTF-8 (a map's first byte never is): it comes as
`body_base64`.
For `rest-xml` the body is the bytes botocore's ElementTree writes (an XML declaration, then the document), which
the test compares as a tree.

Operations with the `httpChecksumRequired` or `httpChecksum` trait get what botocore's client adds after
serialising, by botocore's own code under its default configuration (`request_checksum_calculation` and
`response_checksum_validation` `when_supported`): `handlers._handle_request_validation_mode_member` on the
parameters, then `httpchecksum.resolve_checksum_context` and `apply_request_checksum` on the request (the
`x-amz-checksum-*` header and the algorithm member's header). botocore without the CRT computes only CRC32, SHA-1,
SHA-256 and SHA-512; for another algorithm the input names, `checksum_not_computed` gives the header botocore could
not compute (`x-amz-checksum-crc32c`), which the test then does not compare.

One process serves the whole batch; models are loaded once per service.
"""

import base64
import datetime
import json
import sys
import traceback

import botocore.session
from botocore import handlers, httpchecksum, serialize, validate
from botocore.config import Config
from botocore.exceptions import FlexibleChecksumError, MissingDependencyException
from urllib.parse import urlencode

from botocore.utils import is_json_value_header, percent_encode_sequence


def parse_timestamp(text):
    """An RFC 3339 timestamp as an aware datetime (UTC)."""
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def untyped(value):
    """A typed-JSON value without a shape to go by: tags are resolved, the rest stays as it is."""
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "$raw" or tag == "$document":
                return inner
            if tag == "$blob":
                return base64.b64decode(inner)
            if tag == "$timestamp":
                return parse_timestamp(inner)
        return {k: untyped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untyped(v) for v in value]
    return value


def typed(value, shape):
    """A typed-JSON value as the Python value botocore expects for `shape`."""
    if isinstance(value, dict) and len(value) == 1:
        (tag, inner), = value.items()
        if tag == "$raw":
            return inner
        if tag == "$document":
            return inner
        if tag == "$blob":
            return base64.b64decode(inner)
        if tag == "$timestamp":
            return parse_timestamp(inner)
    if shape is None:
        return untyped(value)
    kind = shape.type_name
    if kind == "structure" and getattr(shape, "is_document_type", False):
        return value
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: typed(v, members.get(k)) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [typed(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: typed(v, shape.value) for k, v in value.items()}
    if kind in ("float", "double") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind in ("float", "double") and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf").replace("NaN", "nan"))
    if is_json_value_header(shape) and isinstance(value, str):
        # In headers botocore takes the JSON value itself and writes its text; conform's value is the text.
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def query_pairs(url_path, query_string):
    """The query string botocore sends (the URI template's static query, then the parameters, escaped by
    `percent_encode_sequence`, as `prepare_request_dict` joins them), as raw `key=value` pairs."""
    parts = []
    if "?" in url_path:
        parts.append(url_path.split("?", 1)[1])
    if query_string:
        parts.append(percent_encode_sequence(query_string))
    return [p for p in "&".join(parts).split("&") if p]


class Models:
    def __init__(self):
        self._session = botocore.session.get_session()
        self._models = {}

    def get(self, name):
        if name not in self._models:
            self._models[name] = self._session.get_service_model(name)
        return self._models[name]


def serialise(models, request):
    model = models.get(request["service"])
    operation = model.operation_model(request["operation"])
    protocol = request.get("protocol") or model.metadata["protocol"]
    params = typed(request.get("input") or {}, operation.input_shape)
    problems = []
    if operation.input_shape is not None:
        report = validate.ParamValidator().validate(params, operation.input_shape)
        if report.has_errors():
            problems = report.generate_report().splitlines()
    has_checksum = bool(operation.http_checksum_required or operation.http_checksum)
    if has_checksum:
        handlers._handle_request_validation_mode_member(
            params, operation, context={"client_config": CHECKSUM_CONFIG})
    serializer = serialize.create_serializer(protocol, include_validation=False)
    result = serializer.serialize_to_request(params, operation)
    body = result.get("body", b"")
    if isinstance(body, dict):
        # As botocore.awsrequest.AWSRequestPreparer._prepare_body encodes a query body.
        pairs = [(k.encode("utf-8") if isinstance(k, str) else k, v.encode("utf-8") if isinstance(v, str) else v)
                 for k, v in body.items()]
        body = urlencode(pairs, doseq=True)
    if isinstance(body, str):
        body = body.encode("utf-8")
    not_computed = None
    if has_checksum:
        result["body"] = body
        not_computed = apply_checksum(result, operation, params)
    text = None
    encoded = None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        encoded = base64.b64encode(body).decode("ascii")
    url_path = result.get("url_path", "/")
    return {
        "ok": True,
        "method": result.get("method"),
        "url_path": url_path.split("?", 1)[0],
        "query": query_pairs(url_path, result.get("query_string", {})),
        "headers": {k: str(v) for k, v in result.get("headers", {}).items()},
        "body": text,
        "body_base64": encoded,
        "host_prefix": result.get("host_prefix"),
        "validation": problems,
        "checksum_not_computed": not_computed,
    }


# botocore's defaults (botocore.args resolves an unset option to `when_supported`).
CHECKSUM_CONFIG = Config(request_checksum_calculation="when_supported",
                         response_checksum_validation="when_supported")


def apply_checksum(request, operation, params):
    """Adds the checksum headers as botocore's client does between serialising and signing (client._make_api_call);
    returns the header botocore cannot compute without the CRT, or None."""
    request["url"] = "https://conform.invalid/"
    request["context"] = {"client_config": CHECKSUM_CONFIG}
    try:
        httpchecksum.resolve_checksum_context(request, operation, params)
    except (MissingDependencyException, FlexibleChecksumError):
        member = operation.http_checksum.get("requestAlgorithmMember")
        return "x-amz-checksum-" + str(params[member]).lower()
    httpchecksum.apply_request_checksum(request)
    return None


def serve(answer_for, default=None):
    """Answers each JSON line of stdin with `answer_for(models, request)` as one JSON line; a failure is an answer."""
    models = Models()
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            answer = answer_for(models, json.loads(line))
        except Exception as e:  # noqa: BLE001 - every failure is an answer for the comparison
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            answer = {"ok": False, "error": detail}
        out.write(json.dumps(answer, default=default))
        out.write("\n")
    out.flush()


def main():
    serve(serialise)


if __name__ == "__main__":
    main()
