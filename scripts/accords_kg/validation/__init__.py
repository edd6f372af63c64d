"""Validation: the SHACL shapes run by pyshacl and as SPARQL rules, on the whole dataset or
on the nodes an entry can affect, and the checks SHACL cannot express."""
