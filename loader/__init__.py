"""MLMD → Neo4j: read MLMD's relational schema with SQL, write the provenance graph in batches."""
