"""Talking to vendor APIs: the HTTP client plugins use, and the loopback sandbox server.

Imports model and errors only.
"""
