"""mlprov: an ML provenance warehouse on Neo4j."""

__version__ = "0.1.0"
