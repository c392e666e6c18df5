"""The rule language: pack schema, paths, values, conditions, catalog, remediation, patches.

Imports model; never engines or host.
"""
