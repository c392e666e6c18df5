"""A plugin module that exits the interpreter when imported (issue 20, item 7)."""

raise SystemExit(4)
