"""The data contracts: entities, error reports, findings, diagnoses, plans, money, text,
parsing and reading records. The bottom layer: imports only syncdoctor.errors.
"""
