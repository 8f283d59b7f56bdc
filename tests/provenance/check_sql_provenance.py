#!/usr/bin/env python3
"""Fails when our sql/ contains text that stands verbatim in upstream PgQ's SQL.

    check_sql_provenance.py OUR_SQL_DIR [UPSTREAM_FILE ...]

With no upstream files given, the ones Debian's postgresql-15-pgq3 installs are
used when present.  Two kinds of finding, each a failure:
  * a comment line (20+ characters) that also appears in upstream;
  * RUN or more consecutive code lines inside a function body (after dropping
    comments, folding whitespace and case) that appear in the same order in
    upstream.
Names, signatures, OUT lists and table definitions sit outside function bodies
and are facts we share with every PgQ implementation, so they are not counted.
Exit 0: clean; 1: findings (listed); 77: no upstream file to compare against
(ctest reports the test as skipped; with CI set in the environment it fails).
"""
import os
import re
import sys

RUN = 4
DEFAULT_UPSTREAM = [
    "/usr/share/postgresql/15/extension/pgq--3.5.sql",
    "/usr/share/postgresql/15/contrib/pgq_pl_only.sql",
]


def normalise(text):
    return " ".join(text.lower().split())


def comment_lines(path):
    """Normalised '--' comment lines long enough to be authored prose."""
    found = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            line = normalise(raw)
            if line.startswith("--") and len(line) >= 20 and line.strip("- "):
                found.setdefault(line, number)
    return found


def body_code(path):
    """(line number, normalised code) for lines inside function bodies.

    A body starts at a line beginning with BEGIN and ends at the line holding
    the closing dollar quote; short lines (END; ELSE ...) prove nothing and
    are left out so they cannot glue unrelated runs together."""
    code, in_body = [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            line = normalise(raw.split("--", 1)[0])
            if not line:
                continue
            if re.match(r"begin\b", line):
                in_body = True
            elif "$$" in line:
                in_body = False
            elif in_body and len(line) >= 12:
                code.append((number, line))
    return code


def sql_files(root):
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith(".sql"):
                yield os.path.join(dirpath, name)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ours = argv[1]
    upstream = [p for p in (argv[2:] or DEFAULT_UPSTREAM) if os.path.isfile(p)]
    if not upstream:
        print("provenance: no upstream PgQ SQL found to compare against")
        # In CI the package is installed on purpose: a missing file is a
        # broken set-up, not a reason to pass quietly.
        return 1 if os.environ.get("CI") else 77

    upstream_comments, upstream_runs = set(), set()
    for path in upstream:
        upstream_comments.update(comment_lines(path))
        lines = [code for _, code in body_code(path)]
        upstream_runs.update(tuple(lines[i:i + RUN]) for i in range(len(lines) - RUN + 1))

    findings = []
    for path in sql_files(ours):
        for line, number in comment_lines(path).items():
            if line in upstream_comments:
                findings.append("%s:%d: upstream comment: %s" % (path, number, line))
        code = body_code(path)
        covered_until = -1
        for i in range(len(code) - RUN + 1):
            if tuple(c for _, c in code[i:i + RUN]) in upstream_runs:
                if i > covered_until:
                    findings.append("%s:%d-%d: %d+ body lines identical to upstream"
                                    % (path, code[i][0], code[i + RUN - 1][0], RUN))
                covered_until = i + RUN - 1

    for finding in sorted(findings):
        print(finding)
    print("provenance: %d finding(s) in %s against %s" % (len(findings), ours, ", ".join(upstream)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
