"""Every Cypher statement mlprov runs, one ``.cypher`` file each with a header (purpose, parameters,
returns), in folders by job: ``load``, ``graphlets``, ``features``, ``predict``, ``app``, ``analytics``,
``library`` (the analysts' queries), ``lineage``, ``export``, ``admin``, ``schema``, ``bench``. Loaded by
name through ``mlprov.queries.query("folder/name")`` and always run with bound parameters."""
