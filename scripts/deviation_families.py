#!/usr/bin/env python3
"""Groups the deviations of a conform JSON report by service and family (what the case breaks: valid requests,
wrong JSON types, missing required members, constraint violations, signing, X-Amz-Target, malformed bodies), and
prints one Markdown section per service with the commonest answer of each family as its example case.

usage: scripts/deviation_families.py REPORT.json [SERVICE...]
docs/moto-report.md's per-service sections are this script's output for the moto-models run.
"""
import collections
import json
import sys


def family(result):
    kind = result["kind"]
    cls = result["mutation"]["class"] if result.get("mutation") else kind
    if kind == "malformed":
        if cls in ("unsigned", "parse-before-auth"):
            return "unsigned requests are served"
        if cls in ("bad-signature", "unknown-access-key", "expired"):
            return "signatures, keys and dates are not verified"
        if cls.startswith("target-"):
            return "a missing or unknown X-Amz-Target is not refused as AWS does"
        if cls.startswith("body-") or cls.startswith("content-type"):
            return "malformed bodies and content types are not refused as AWS does"
        return "other protocol faults"
    if kind == "valid":
        return "valid requests"
    if cls.startswith("type-"):
        return "values of the wrong JSON type"
    if cls in ("missing-required", "null-required"):
        return "a missing or null required member"
    return "constraint violations (length, range, pattern, enum)"


def answer(result):
    """What was expected, what came, and what the body and Content-Type were, as words."""
    actual, expected = result["actual"], result["expected"]
    failed = [c for c in result["checks"] if not c["passed"] and not c["uncertain"]]
    accept = (expected or {}).get("accept", [])[:3]
    want = " or ".join(f"{a['status']} {a['error_type'] or ''}".strip() for a in accept)
    got = (
        f"{actual['status']} {actual['error_type'] or ''}".strip()
        if actual and actual.get("status")
        else "no answer"
    )
    extra = []
    body = [c["actual"] for c in failed if c["check"] == "error-body"]
    if body and body[0].startswith("`<!doctype html"):
        extra.append("an HTML page")
    elif body and body[0].startswith("`<?xml"):
        extra.append("an XML body")
    elif body and "empty" in body[0]:
        extra.append("an empty body")
    content_type = [c["actual"] for c in failed if c["check"] == "content-type"]
    if content_type:
        extra.append(f"Content-Type `{content_type[0]}`")
    return want, got, tuple(extra), [c["check"] for c in failed]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    report = json.load(open(sys.argv[1]))
    only = set(sys.argv[2:])
    by_service = collections.defaultdict(lambda: collections.defaultdict(list))
    totals = collections.Counter()
    for r in report["results"]:
        totals[r["service"]] += 1
        if r["deviation"]:
            by_service[r["service"]][family(r)].append(r)
    for service in sorted(totals):
        if only and service not in only:
            continue
        families = by_service[service]
        count = sum(len(v) for v in families.values())
        operations = sorted({r["operation"] for v in families.values() for r in v})
        print(f"### {service} ({', '.join(operations)})\n")
        print(f"{totals[service]} cases, {count} deviations.\n")
        for name, results in sorted(families.items(), key=lambda kv: -len(kv[1])):
            answers = collections.Counter(answer(r)[1:3] for r in results)
            (got, extra), _ = answers.most_common(1)[0]
            example = next(r for r in results if answer(r)[1:3] == (got, extra))
            want, _, _, checks = answer(example)
            plural = "s" if len(results) > 1 else ""
            line = f"- **{name}** ({len(results)} case{plural}): e.g. `{example['id']}` expects {want}, gets {got}"
            if extra:
                line += " with " + " and ".join(extra)
            line += f" (fails {', '.join(checks)})."
            others = len(answers) - 1
            if others:
                line += f" {others} other answer{'s' if others > 1 else ''} of this family in the run."
            print(line)
        print()


if __name__ == "__main__":
    main()
