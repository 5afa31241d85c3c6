#!/usr/bin/env python3
"""What botocore's ParamValidator says of an input: the reference side of conform's ParamValidator differential test.

Reads JSON lines from stdin, one input each:

    {"service": "dynamodb", "operation": "PutItem", "input": <typed JSON>}

(`service` is botocore's service directory name; `input` is conform's typed JSON form, converted to the Python types
botocore expects exactly as `botocore_serialize.py` does.)

Writes one JSON line per input, in order:

    {"ok": true, "errors": [{"reason": "invalid length", "path": ".Name"}, ...], "report": "<botocore's text>"}

`errors` is what `botocore.validate.ParamValidator().validate(params, operation_model.input_shape)` collected (empty
when botocore accepts the input), each with botocore's reason and the path it names: `.A.B[0].C` for members and
items, `.Tags.k` for a map value, `.Tags (key: k)` for a map key; for a missing required member the path is the
parent's with the member's name added (`.A.Name`), so that it names the member itself. When converting or validating
raises, the line is {"ok": false, "error": "<type>: <message>"}.

One process serves the whole batch; models are loaded once per service.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore import validate  # noqa: E402
from botocore_serialize import serve, typed  # noqa: E402


def check(models, request):
    model = models.get(request["service"])
    operation = model.operation_model(request["operation"])
    if operation.input_shape is None:
        return {"ok": True, "errors": [], "report": ""}
    params = typed(request.get("input") or {}, operation.input_shape)
    report = validate.ParamValidator().validate(params, operation.input_shape)
    errors = []
    for reason, name, additional in report._errors:  # noqa: SLF001 - the structured form of the report
        path = name
        if reason == "missing required field":
            path = f"{name}.{additional['required_name']}"
        errors.append({"reason": reason, "path": path})
    text = report.generate_report() if report.has_errors() else ""
    return {"ok": True, "errors": errors, "report": text}


def main():
    serve(check, default=str)


if __name__ == "__main__":
    main()
