"""The graph and its store: parsing files, the territorial layer built from the official
registry files, the Oxigraph store with its layers as named graphs, and the Turtle writer."""
