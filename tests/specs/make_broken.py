# Writes tests/specs/broken/*.toml from minimal.toml, each with one thing wrong, and a header
# `# expect: LINE: FRAGMENT` where LINE is the line of the text the loader must point at.
import os, re
base = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'minimal.toml')).read()
base = "\n".join(base.split("\n")[1:])  # drop the "valid" comment line
cases = [
 ("01-toml-syntax", lambda s: s.replace('title = "Minimal service"', 'title = "Minimal service'), 'title = "Minimal service', "invalid"),
 ("02-unknown-key", lambda s: s.replace('signing_name = "mini"', 'signing_name = "mini"\nprotocl = "restJson1"'), 'protocl', "unknown field `protocl`"),
 ("03-unknown-shape", lambda s: s.replace('shape = "Id"', 'shape = "Ident"'), 'shape = "Ident"', "unknown shape `Ident`"),
 ("04-bad-pattern", lambda s: s.replace("pattern = '^\\d{4}$'", "pattern = '^\\d{4$'"), "pattern = '^\\d{4$'", "pattern does not compile"),
 ("05-min-over-max", lambda s: s.replace('min_length = 1\nmax_length = 10', 'min_length = 11\nmax_length = 10'), 'min_length = 11', "min_length 11 is greater than max_length 10"),
 ("06-empty-enum", lambda s: s.replace("pattern = '^\\d{4}$'", "enum = []"), 'enum = []', "empty enum"),
 ("07-rest-without-path", lambda s: s.replace('path = "/putThing"\n', ''), 'name = "PutThing"', "needs both `method` and `path`"),
 ("08-awsjson-without-target-prefix", lambda s: s.replace('protocol = "restJson1"', 'protocol = "awsJson1_1"').replace('method = "POST"\npath = "/putThing"\n', ''), 'protocol = "awsJson1_1"', "has no `target_prefix`"),
 ("09-duplicate-operation", lambda s: s + '\n[[operation]]\nname = "PutThing"\nmethod = "POST"\npath = "/putThing2"\ndescription = "again"\nsource = "doc: PutThing"\n', '__LAST__name = "PutThing"', "duplicate operation name `PutThing`"),
 ("10-duplicate-member", lambda s: s.replace('[[operation.input]]\nname = "Label"', '[[operation.input]]\nname = "Id"'), '__LAST__name = "Id"', "duplicate member name `Id`"),
 ("11-unknown-error", lambda s: s.replace('errors = ["ValidationException"]', 'errors = ["ValidationException", "NoSuchException"]'), 'errors = [', "unknown error `NoSuchException`"),
 ("12-unknown-protocol", lambda s: s.replace('protocol = "restJson1"', 'protocol = "restXml"'), 'protocol = "restXml"', "unknown protocol `restXml`"),
 ("13-unknown-document", lambda s: s.replace('source = "doc: Id"', 'source = "manual: Id"'), 'source = "manual: Id"', "unknown document `manual`"),
 ("14-recursive-shape", lambda s: s.replace('[[error]]', '[[shape]]\nname = "Node"\ntype = "structure"\nsource = "doc: Node"\n[[shape.member]]\nname = "next"\nshape = "Node"\n\n[[error]]'), 'name = "Node"', "shape `Node` contains itself"),
 ("15-example-unknown-member", lambda s: s.replace('input = { Id = "1234", Label = "x" }', 'input = { Id = "1234", Label = "x", Colour = "red" }'), 'input = { Id', "`Colour`, which is no input member"),
 ("16-example-breaks-constraint", lambda s: s.replace('input = { Id = "1234", Label = "x" }', 'input = { Id = "12345", Label = "x" }'), 'input = { Id', "breaks a constraint at `Id`"),
 ("17-status-fault-mismatch", lambda s: s.replace('status = 400\nfault = "client"', 'status = 500\nfault = "client"'), 'fault = "client"', "has status 500 but fault `client`"),
 ("18-duplicate-shape", lambda s: s.replace('[[error]]', '[[shape]]\nname = "Id"\ntype = "string"\nsource = "doc: Id"\n\n[[error]]'), '__LAST__name = "Id"\ntype = "string"', "duplicate shape name `Id`"),
 ("19-constraint-wrong-type", lambda s: s.replace('type = "string"\nmin_length = 1\nmax_length = 10', 'type = "integer"\npattern = "[0-9]+"'), 'pattern = "[0-9]+"', "`pattern` does not apply to type `integer`"),
 ("20-shape-and-type", lambda s: s.replace('shape = "Id"\nrequired = true', 'shape = "Id"\ntype = "string"\nrequired = true'), '__AFTER__shape = "Id"\ntype = "string"', "either `shape` or `type`"),
 ("21-missing-field", lambda s: s.replace('api_version = "2024-01-01"\n', ''), '[service]', "missing field `api_version`"),
 ("22-wrong-value-type", lambda s: s.replace('required = true', 'required = "yes"'), 'required = "yes"', "invalid type"),
 ("23-error-listed-twice", lambda s: s.replace('errors = ["ValidationException"]', 'errors = ["ValidationException", "ValidationException"]'), 'errors = [', "listed twice"),
 ("24-unknown-type", lambda s: s.replace('type = "string"\nmin_length = 1', 'type = "text"\nmin_length = 1'), 'type = "text"', "unknown type `text`"),
 ("25-bad-region-rule", lambda s: s.replace('region = { fixed = "us-east-1" }', 'region = { fixed = "us-east-1", default = "eu-west-1" }'), 'region = {', "region rule needs either"),
 ("26-unknown-violation-error", lambda s: s.replace('required = true\n\n[[operation.input]]\nname = "Label"', 'required = true\non_violation = [{ accept = ["BadThingException"] }]\n\n[[operation.input]]\nname = "Label"'), 'on_violation', "unknown error `BadThingException`"),
 ("27-duplicate-route", lambda s: s + '\n[[operation]]\nname = "PutOther"\nmethod = "POST"\npath = "/putThing"\ndescription = "same route"\nsource = "doc: PutOther"\n', '__LAST__path = "/putThing"', "same method and path as `PutThing`"),
 ("29-scenario-unknown-reference", lambda s: s + '\n[[scenario]]\nname = "store"\ndescription = "d"\nsource = "doc: PutThing"\n[[scenario.step]]\nname = "put"\noperation = "PutThing"\ninput = { Id = "${draw.thing.Id}" }\n', 'input = { Id = "${draw', "`${draw.thing}` names no `draw`"),
 ("30-scenario-later-step", lambda s: s + '\n[[scenario]]\nname = "store"\ndescription = "d"\nsource = "doc: PutThing"\n[[scenario.step]]\nname = "put"\noperation = "PutThing"\ninput = { Id = "${step.again.output.Id}" }\n[[scenario.step]]\nname = "again"\noperation = "PutThing"\n', 'input = { Id = "${step', "names no earlier step"),
 ("31-scenario-unknown-operation", lambda s: s + '\n[[scenario]]\nname = "store"\ndescription = "d"\nsource = "doc: PutThing"\n[[scenario.step]]\nname = "get"\noperation = "GetThing"\n', 'operation = "GetThing"', "names unknown operation `GetThing`"),
 ("28-target-prefix-on-rest", lambda s: s.replace('signing_name = "mini"', 'signing_name = "mini"\ntarget_prefix = "Mini"'), 'target_prefix', "only for awsJson services"),
]
outdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'broken')
for f in os.listdir(outdir): os.remove(os.path.join(outdir, f))
for name, tf, anchor, frag in cases:
    text = tf(base)
    assert text != base, name
    if anchor.startswith('__LAST__'):
        idx = text.rfind(anchor[8:])
    elif anchor.startswith('__AFTER__'):
        a = anchor[9:]; idx = text.find(a) + a.index('\n') + 1
    else:
        idx = text.find(anchor)
    assert idx >= 0, (name, anchor)
    line = text[:idx].count('\n') + 2   # +1 one-based, +1 for the header line
    open(os.path.join(outdir, name + '.toml'), 'w').write(f"# expect: {line}: {frag}\n" + text)
print(len(cases))
