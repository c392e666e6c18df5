"""The host: loading plugins, isolating their calls, answering in batches.

Imports engines, rules, model and hookspecs; never cli, service, ledger or console.
"""
