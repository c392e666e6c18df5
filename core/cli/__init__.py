"""The command line: parsing, dispatch, one module per command family, rendering, the demo.

Imports host and everything below it; nothing imports it but the console script.
"""
