"""accords-kg: the knowledge graph of the accords French regions and intercommunalities sign.

The library API behind the ``accords`` command, in layers whose imports only point down:

- the base modules here: :mod:`.errors` (exit codes), :mod:`.resources` (where the
  project's files are), :mod:`.namespaces`, :mod:`.files` (atomic writes, locks);
- :mod:`.sparql`: saved queries, the query guard, result formats, remote endpoints;
- :mod:`.graph`: parsing, the territorial layer, the store, the Turtle writer;
- :mod:`.validation`: SHACL on the dataset or on an entry, and the checks beyond SHACL;
- :mod:`.publishing`: dumps, dataset description, releases, uploads;
- :mod:`.web`: the site and the local server;
- :mod:`.add` (the register's one way in) and :mod:`.cli` (the command) on top.
"""

__version__ = "0.1.0"
