"""accords-kg: the knowledge graph of the accords French regions and intercommunalities sign.

The library API behind the ``accords`` command: :mod:`accords_kg.store` loads the graph
and runs SPARQL, :mod:`accords_kg.saved` reads the saved queries, :mod:`accords_kg.validate`
checks entries against the SHACL shapes, :mod:`accords_kg.dump` writes the serialisations.
"""

__version__ = "0.1.0"
