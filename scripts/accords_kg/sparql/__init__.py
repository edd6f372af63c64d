"""SPARQL itself: the saved queries and their parameters, the guard every query passes, the
W3C result formats, and the protocol client for remote endpoints. Nothing here holds data."""
