"""The prose of docs/cli.md around the generated reference (kept here so the page is one
generated file: ``python -m syncdoctor.cli.docs`` writes it, ``--check`` fails when stale)."""

from __future__ import annotations

__all__ = ["ENVIRONMENT", "EXIT_CODES", "FORMATS_TEXT", "INPUT_TEXT", "INTRO", "JSON_SHAPES"]

INTRO = """\
`--lang` chooses the language of human output (default: `$SYNCDOCTOR_LANG`, the configuration
file, then the locale, else English). `--engine` chooses the rule engine (default `native`, or
`$SYNCDOCTOR_ENGINE`). Global options may also follow the command name (`validate --lang fr`)."""

EXIT_CODES = """\
| code | meaning |
|---|---|
| **0** | clean: nothing at or above the `--fail-on` level (`rules lint`: no finding) |
| **1** | findings at the `--fail-on` level (`validate` default `error`, `classify` default `never`); `rules lint`: lint findings |
| **2** | bad input or usage: a bad record (with a message naming its line and field; the rest of the batch still goes through), a missing file, an unknown option |
| **130** | interrupted (Ctrl-C) |"""

INPUT_TEXT = """\
`validate`, `classify --input` and `remediate` read the same shapes, told apart by the first
byte: JSON Lines, a JSON array (streamed item by item, so a 100 MB array takes the memory of
its largest item), one JSON object, or a stream of pretty-printed objects (`jq .` output).
Line endings may be LF, CRLF or CR; a byte order mark may open any line. A record is numbered
by the line it starts on: messages, SARIF regions and annotations point there. A record over
16 MB is one bad record; 256 MB without a line break (`/dev/zero`) ends the input with a
clear error (exit 2)."""

FORMATS_TEXT = """\
`--format` (on `validate` and `classify`; `--json` is `--format jsonl`):

| format | for | what |
|---|---|---|
| `text` | people | at a terminal: a block per record, wrapped to the width, colour; in a pipe: one `file:line: severity problem [entity] path: message` line per finding, never wrapped or cut |
| `jsonl` | scripts, `remediate -` | one JSON value per line (the shapes below) |
| `json` | scripts | the same values as one JSON array |
| `sarif` | GitHub code scanning | SARIF 2.1.0: a result per finding at the input file and line, a rule per problem (title, causes, steps as help) |
| `junit` | CI test reports | JUnit XML: a test case per record, a failure per finding at the fail-on level, an error per bad record |
| `github` | GitHub Actions | `::error file=F,line=N,title=PROBLEM::message` workflow commands (annotations on the PR) |

`--fail-on error|warning|never` sets the lowest severity that exits 1 (bad input always exits 2);
`--quiet` leaves only the findings (no summary line, no progress bar); `--statistics` adds a
count per problem (after the text, or on stderr for machine formats). A progress bar (records,
rate, time left when the input's size is known) appears on stderr, when it is a terminal,
for a batch that runs longer than 2 seconds. Colour follows `--color auto|always|never`, then
`NO_COLOR` and `FORCE_COLOR`, then whether stdout is a terminal.

**Configuration.** `syncdoctor.toml`, or a `[tool.syncdoctor]` table in `pyproject.toml`, found
from the current directory upward (the nearest wins; `SYNCDOCTOR_CONFIG=path` names one,
`SYNCDOCTOR_CONFIG=` turns the search off). Precedence: command line, then environment, then
the file, then built-in defaults. Keys:"""

JSON_SHAPES = """\
`validate --json` writes one line per input entity, in input order:

```json
{"entity": "e1", "findings": [{"problem": "acd.auxiliary_code_invalid", "severity": "error", "entity": "e1",
  "path": "lines[0].auxiliary", "message": "...", "params": {"account": "XAARO", "index": 0, "pointer": "/lines/0"}}]}
```

`classify --json` (and `classify --input`) writes one diagnosis per line. A report that holds
several errors (a QuickBooks Fault with two `Error` items) gives one line each; `input` is the
index of the input record (from 0), so lines can be matched to inputs:

```json
{"problem": "quickbooks.duplicate_document_number", "vendor": "quickbooks", "category": "Invoices",
 "params": {"doc_number": "1781", "txn_type": "Invoice", "txn_id": "3188"}, "causes": ["..."],
 "remediation": {"steps": [{"action": "...", "system": "...", "automatic": false, "instructions": "..."}],
                 "alternatives": []}, "input": 0}
```

**How the vendor was known.** With `--vendor` (or a `vendor` in the input line) the vendor's
rules decide, and when none of them recognises the report its HTTP status still answers
(`core.authentication_rejected` for 401/403, `core.rate_limited` for 429,
`core.vendor_unavailable` for 5xx, `core.data_rejected` for 400/409/422), spoken for that
vendor. Without a vendor, the text or code of one vendor names it, and the output says so:
`Vendor: quickbooks (guessed from the message; give --vendor to be sure)` (in JSON,
`"vendor_guessed": true`). A status alone, or a text several vendors use, does not pick a
vendor: the core's answer for the status is given with `Vendor: unknown`.

A step: `{"action", "system", "automatic", "instructions", "patch"?, "confirm", "role"?}`.
`remediate --apply --json` writes `{"entity": <fixed>, "applied": [{problem, path, patch}],
"remaining": [findings]}`. `remediate` reads JSON Lines too: each diagnosis, finding or
`validate --json` line (one plan per finding) in turn.

Entities are described in [concepts.md](concepts.md); every kind's fields are in
`core/model/entities.py`. The context document is keyed by plugin name; each plugin's context model is
listed in the [catalog](problems.md)."""

ENVIRONMENT = """\
| variable | effect |
|---|---|
| `SYNCDOCTOR_PLUGINS` | allow-list of plugin names (comma-separated) |
| `SYNCDOCTOR_DISABLE_PLUGINS` | deny-list |
| `SYNCDOCTOR_STRICT=1` | fail at start-up when a plugin cannot load |
| `SYNCDOCTOR_TRACE=1` | log every hook call, and each record's result, to stderr (same as `--trace`) |
| `SYNCDOCTOR_ENGINE` | `native` or `durable` |
| `SYNCDOCTOR_LANG` | `en` or `fr` |
| `SYNCDOCTOR_CONFIG` | the configuration file to use (empty: none) |
| `NO_COLOR`, `FORCE_COLOR` | no colour / colour even in a pipe (`--color` wins) |
| `CI` | set: no progress bar |"""
