"""The web: the static site (pages, diagrams, timeline, ontology documentation), content
negotiation, and the local server that answers SPARQL and serves the pages."""
