"""The engines that decide compiled problems: native (generated programs) and durable.

Imports rules and model; never host.
"""
