"""The independent side of model::pattern's differential test: Python's `re` judges the same samples.

Reads JSON lines on stdin, one per pattern: {"pattern": <Java pattern>, "samples": [<string>, ...]}.
Writes one JSON line per pattern on stdout, in order:
  {"verdicts": [true|false|null, ...], "slow": n}   null: a sample Python cannot judge alike (see below), or
                                                   one it gave up on after TIME_LIMIT seconds (counted in "slow":
                                                   Python's re backtracks, and some patterns are exponential on
                                                   some failing strings, as they are for Java)
  {"excluded": "<why>"}                 the pattern cannot be put in Python's syntax faithfully

Each Java pattern is rewritten here, by text, into Python's syntax, written apart from the Rust translation so that a
mistake in one is caught by the other, and matched with re.fullmatch(p, s, re.ASCII). Where Java and Python differ:
- \\p{...}/\\P{...}: Python's re has none. Categories are expanded from unicodedata, Java's POSIX classes (ASCII)
  by hand; binary properties (Alphabetic, White_Space) and scripts are not in unicodedata: such patterns are excluded.
  Samples with characters unassigned in Python's Unicode tables are not judged (the tables' versions differ).
- \\uD800\\uDC00 (a surrogate pair written as two escapes) is one supplementary character in Java: rewritten as \\U.
- \\x{h..}, \\0mnn (three octal digits), \\e, \\cX: rewritten as \\U escapes.
- . excludes \\n, \\r, \\x85, \\u2028, \\u2029 in Java (only \\n in Python): rewritten as a class unless (?s).
- $ and \\Z may match before a final line terminator in Java (Python: before a final \\n only): rewritten as a
  look-ahead. \\z (Java) is \\Z (Python).
- \\h, \\v (Java 8+: vertical whitespace, \\x0B only as a range end), \\R: rewritten as classes.
- (?i) in the middle of a pattern: Python allows global flags only at the start; rewritten as a scoped (?i:...)
  group up to the end of the enclosing group when it can be, else the pattern is excluded.
- Nested classes and && intersections: Python has neither: excluded.
- [\\w-.] is a literal '-' in Java and an error in Python: '-' after a class escape is escaped.
"""

import json
import re
import signal
import sys
import unicodedata
import warnings

# Python warns about class syntax it may one day read as nested sets ("[[", "--", "&&"); Java's meaning is kept.
warnings.simplefilter("ignore")

# Java's POSIX classes (ASCII) and its own names, as code point ranges.
POSIX = {
    "Lower": [(0x61, 0x7A)],
    "Upper": [(0x41, 0x5A)],
    "ASCII": [(0x00, 0x7F)],
    "Alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "Digit": [(0x30, 0x39)],
    "Alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "Punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "Graph": [(0x21, 0x7E)],
    "Print": [(0x20, 0x7E)],
    "Blank": [(0x09, 0x09), (0x20, 0x20)],
    "Cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "XDigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    "Space": [(0x09, 0x0D), (0x20, 0x20)],
    "L1": [(0x00, 0xFF)],
    "all": [(0x00, 0x10FFFF)],
}

RANGES_CACHE = {}
CATEGORIES = []


class Excluded(Exception):
    pass


def esc(cp):
    return "\\U%08x" % cp


def ranges_where(pred):
    """The code point ranges (surrogates left out) whose general category satisfies pred."""
    if not CATEGORIES:
        # One pass over the code points, as runs of one category: far faster than a pass per property.
        start, current = 0, unicodedata.category("\0")
        for cp in range(1, 0x110000):
            cat = unicodedata.category(chr(cp))
            if cat != current:
                CATEGORIES.append((start, cp - 1, current))
                start, current = cp, cat
        CATEGORIES.append((start, 0x10FFFF, current))
    out = []
    for a, b, cat in CATEGORIES:
        if not pred(cat):
            continue
        for lo, hi in ((a, min(b, 0xD7FF)), (max(a, 0xE000), b)):
            if lo > hi:
                continue
            if out and out[-1][1] + 1 == lo:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


def complement(ranges):
    out = []
    nxt = 0
    for a, b in ranges:
        if a > nxt:
            out.append((nxt, a - 1))
        nxt = b + 1
    if nxt <= 0x10FFFF:
        out.append((nxt, 0x10FFFF))
    return out


def class_char(cp):
    """A character inside a class: itself when plain (Python parses those far faster than escapes)."""
    if cp < 0x21 or 0x7F <= cp <= 0xA0 or chr(cp) in "\\]^-[&~|" or unicodedata.category(chr(cp)) in ("Cs", "Zl", "Zp"):
        return esc(cp)
    return chr(cp)


def body(ranges):
    return "".join(class_char(a) if a == b else class_char(a) + "-" + class_char(b) for a, b in ranges)


def property_ranges(name):
    """The ranges of a Java property name, or raise Excluded."""
    if name in POSIX:
        return POSIX[name]
    if name.startswith("Is") and name[2:] in ("L", "M", "N", "Z", "C", "P", "S"):
        name = name[2:]
    if name in ("L", "M", "N", "Z", "C", "P", "S"):
        pred = lambda c: c[0] == name
    elif name == "LD":
        pred = lambda c: c[0] == "L" or c == "Nd"
    elif name == "LC":
        pred = lambda c: c in ("Lu", "Ll", "Lt")
    elif len(name) == 2 and name[0] in "LMNZCPS" and name[1].islower():
        pred = lambda c: c == name
    else:
        raise Excluded("\\p{%s} has no equivalent in Python's unicodedata" % name)
    if name not in RANGES_CACHE:
        RANGES_CACHE[name] = ranges_where(pred)
    return RANGES_CACHE[name]


def translate(p):
    """Rewrite a Java pattern in Python's syntax; returns (text, uses_property)."""
    out = []
    i = 0
    n = len(p)
    in_class = 0
    dotall = False
    uses_property = False
    # Open groups: for each, whether a scoped (?i: was opened inside it and must be closed with it.
    groups = []
    pending_close = 0
    quantified = False

    def hex_escape(j):
        """Parse \\x.. at p[j] == 'x'; returns (codepoint, next index)."""
        if p[j + 1 : j + 2] == "{":
            k = p.index("}", j)
            return int(p[j + 2 : k], 16), k + 1
        return int(p[j + 1 : j + 3], 16), j + 3

    def unicode_escape(j):
        """\\uXXXX at p[j] == 'u', pairing surrogates as Java does."""
        cp = int(p[j + 1 : j + 5], 16)
        k = j + 5
        if 0xD800 <= cp <= 0xDBFF and p[k : k + 2] == "\\u":
            low = int(p[k + 2 : k + 6], 16)
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00), k + 6
        return cp, k

    while i < n:
        c = p[i]
        after_quantifier, quantified = quantified, False
        if c == "\\":
            d = p[i + 1] if i + 1 < n else ""
            if d in "pP":
                uses_property = True
                if p[i + 2 : i + 3] == "{":
                    k = p.index("}", i)
                    name = p[i + 3 : k]
                else:
                    name = p[i + 2]
                    k = i + 2
                ranges = property_ranges(name)
                if d == "P":
                    ranges = complement(ranges)
                out.append(body(ranges) if in_class else "[" + body(ranges) + "]")
                i = k + 1
            elif d == "x":
                cp, i = hex_escape(i + 1)
                out.append(esc(cp))
            elif d == "u":
                cp, i = unicode_escape(i + 1)
                out.append(esc(cp))
            elif d == "0":
                j = i + 2
                digits = ""
                while j < n and len(digits) < 3 and p[j] in "01234567":
                    digits += p[j]
                    j += 1
                if len(digits) == 3 and digits[0] > "3":
                    digits = digits[:2]
                    j -= 1
                out.append(esc(int(digits, 8)))
                i = j
            elif d == "e":
                out.append(esc(0x1B))
                i += 2
            elif d == "c":
                out.append(esc(ord(p[i + 2]) ^ 64))
                i += 3
            elif d == "z":
                out.append("\\Z")
                i += 2
            elif d == "Z":
                out.append(DOLLAR)
                i += 2
            elif d == "h":
                h = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
                out.append(h if in_class else "[" + h + "]")
                i += 2
            elif d == "v":
                if in_class and p[i + 2 : i + 3] == "-":
                    out.append("\\x0b")
                else:
                    v = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
                    out.append(v if in_class else "[" + v + "]")
                i += 2
            elif d == "R":
                out.append("(?>\\r\\n|[\\n\\x0b\\f\\r\\x85\\u2028\\u2029])")
                i += 2
            elif d == "Q":
                k = p.find("\\E", i + 2)
                k = n if k < 0 else k
                out.append(re.escape(p[i + 2 : k]))
                i = k + 2
            elif d in "GXNk":
                raise Excluded("\\%s is not translated" % d)
            else:
                out.append(p[i : i + 2])
                i += 2
            # [\w-.]: a '-' right after a class escape is a literal in Java.
            if in_class and d in "wWdDsSpPhHv" and p[i : i + 1] == "-" and p[i + 1 : i + 2] != "]":
                out.append("\\-")
                i += 1
            continue
        if in_class:
            if c == "[":
                raise Excluded("nested classes have no equivalent in Python")
            if c == "&" and p[i + 1 : i + 2] == "&":
                raise Excluded("class intersection (&&) has no equivalent in Python")
            if c == "]":
                in_class = 0
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = 1
            out.append(c)
            i += 1
            if p[i : i + 1] == "^":
                out.append("^")
                i += 1
            if p[i : i + 1] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "(":
            if p.startswith("(?", i) and re.match(r"\(\?[a-zA-Z-]+\)", p[i:]):
                m = re.match(r"\(\?([a-zA-Z-]+)\)", p[i:])
                flags = m.group(1)
                if flags == "s" and i == 0:
                    dotall = True
                elif flags == "i":
                    # Scope it: (?i:...) up to the end of the enclosing group; an alternation after it at the same
                    # level would also be case-insensitive in Java, which a scoped group cannot say.
                    depth = 0
                    for j in range(i + m.end(), n):
                        ch = p[j]
                        if ch == "\\":
                            continue
                        if ch == "(":
                            depth += 1
                        elif ch == ")":
                            if depth == 0:
                                break
                            depth -= 1
                        elif ch == "|" and depth == 0 and (i > 0 and p[i - 1] not in "(|"):
                            raise Excluded("(?i) before an alternation at its own level")
                    out.append("(?i:")
                    if groups:
                        groups[-1] += 1
                    else:
                        pending_close += 1
                else:
                    raise Excluded("inline flags (?%s) are not translated" % flags)
                i += m.end()
                continue
            groups.append(0)
            out.append(c)
            i += 1
            continue
        if c == ")":
            if groups:
                out.append(")" * groups.pop())
            out.append(c)
            i += 1
            continue
        if c == "{":
            m = re.match(r"\{\d+(,\d*)?\}", p[i:])
            if m:
                if after_quantifier:
                    # Java reads `X{2}{3}` as X{2} then an empty atom repeated; Python rejects a second quantifier.
                    out.append("(?:)")
                out.append(m.group())
                i += m.end()
                quantified = True
                continue
        if c == ".":
            out.append("[\\x00-\\U0010ffff]" if dotall else "[^\\n\\r\\x85\\u2028\\u2029]")
            i += 1
            continue
        if c == "$":
            out.append(DOLLAR)
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * pending_close)
    return "".join(out), uses_property


DOLLAR = "(?:\\Z|(?=\\r\\n\\Z)|(?<!\\r)(?=\\n\\Z)|(?=[\\r\\x85\\u2028\\u2029]\\Z))"


TIME_LIMIT = 0.02

# After this many give-ups, a pattern's remaining strings are not judged: each costs the whole time limit.
GIVE_UPS = 3


class Slow(Exception):
    pass


# Whether a match is running under the timer: a signal that arrives once it is disarmed is ignored.
armed = False


def give_up(signum, frame):
    if armed:
        raise Slow()


def judge(entry):
    global armed
    try:
        text, uses_property = translate(entry["pattern"])
        rx = re.compile(text, re.ASCII)
    except Excluded as e:
        return {"excluded": str(e)}
    except (re.error, ValueError, IndexError) as e:
        return {"excluded": "python cannot compile the translation: %s" % e}
    verdicts = []
    slow = 0
    for s in entry["samples"]:
        if slow >= GIVE_UPS or uses_property and any(unicodedata.category(ch) == "Cn" for ch in s):
            verdicts.append(None)
            continue
        # re checks for signals as it backtracks, so a timer can stop a catastrophic case. The timer may fire just
        # as the match ends, while it is being disarmed: the outer `try` catches that too (counted as slow).
        try:
            armed = True
            signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
            try:
                verdict = rx.fullmatch(s) is not None
            finally:
                armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
            verdicts.append(verdict)
        except Slow:
            verdicts.append(None)
            slow += 1
    return {"verdicts": verdicts, "slow": slow}


def main():
    signal.signal(signal.SIGALRM, give_up)
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(judge(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
