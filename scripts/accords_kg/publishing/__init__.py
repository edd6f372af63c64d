"""Publishing: dumps in the standard serialisations, the dataset description, releases,
and uploads to a SPARQL server's Graph Store."""
