#!/usr/bin/env python3
"""prom-check.py: a strict checker of the Prometheus text exposition
format 0.0.4, for segurd's /metrics (Debian's promtool comes with the
96 MB prometheus package, so the tests carry their own).

usage: prom-check.py FILE    (exit 0 if valid; else each problem on stderr)

Checked: every line is a # HELP, # TYPE, other comment, or sample; names
and label names follow the grammar; label values and help texts use only
the escapes \\\\, \\" (labels) and \\n; values are floats, NaN or +-Inf;
HELP and TYPE come at most once per family and before its samples; a
family's samples are contiguous; no series appears twice; counters end
in _total (promtool's lint); the text ends with a newline.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|NaN|[+-]Inf)"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    r"^(" + NAME + r")(?:\{((?:" + LABEL + r"=" + LABEL_VALUE + r")"
    r"(?:," + LABEL + r"=" + LABEL_VALUE + r")*,?)?\})? (" + VALUE + r")"
    r"(?: (-?\d+))?$")
PAIR = re.compile(r"(" + LABEL + r")=(" + LABEL_VALUE + r")")
HELP = re.compile(r"^# HELP (" + NAME + r") ((?:[^\\\n]|\\[\\n])*)$")
TYPE = re.compile(r"^# TYPE (" + NAME + r") (counter|gauge|histogram|summary|untyped)$")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"),
            "summary": ("", "_sum", "_count")}


def family_of(name, types):
    if name in types:
        return name
    for base, t in types.items():
        for suf in SUFFIXES.get(t, ()):
            if suf and name == base + suf:
                return base
    return name


def check(text):
    errs = []
    if text and not text.endswith("\n"):
        errs.append("the text does not end with a newline")
    helps, types, done, series = {}, {}, set(), set()
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d" % n
        if line == "":
            errs.append("%s: empty line" % where)
            continue
        if line.startswith("#"):
            m = HELP.match(line)
            if line.startswith("# HELP "):
                if not m:
                    errs.append("%s: malformed HELP" % where)
                    continue
                name = m.group(1)
                if name in helps:
                    errs.append("%s: second HELP for %s" % (where, name))
                if name in done or name == current:
                    errs.append("%s: HELP for %s after its samples" % (where, name))
                helps[name] = True
                continue
            if line.startswith("# TYPE "):
                m = TYPE.match(line)
                if not m:
                    errs.append("%s: malformed TYPE" % where)
                    continue
                name, t = m.group(1), m.group(2)
                if name in types:
                    errs.append("%s: second TYPE for %s" % (where, name))
                if name in done or name == current:
                    errs.append("%s: TYPE for %s after its samples" % (where, name))
                if t == "counter" and not name.endswith("_total"):
                    errs.append("%s: counter %s does not end in _total" % (where, name))
                types[name] = t
                continue
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append("%s: malformed sample: %r" % (where, line))
            continue
        name, labels = m.group(1), m.group(2) or ""
        pairs = PAIR.findall(labels)
        names = [p[0] for p in pairs]
        if len(set(names)) != len(names):
            errs.append("%s: a label appears twice" % where)
        if any(l.startswith("__") for l in names):
            errs.append("%s: reserved label name" % where)
        fam = family_of(name, types)
        if fam != current:
            if fam in done:
                errs.append("%s: samples of %s are not contiguous" % (where, fam))
            if current is not None:
                done.add(current)
            current = fam
        key = (name, tuple(sorted(pairs)))
        if key in series:
            errs.append("%s: series %s{%s} appears twice" % (where, name, labels))
        series.add(key)
    return errs


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    errs = check(text)
    for e in errs:
        sys.stderr.write("prom-check: %s\n" % e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
