"""The analyses on top of the warehouse: the study's corpus figures (``corpus``), the report
(``report``), the analysts' query library and its read-only guard (``library``), lineage walks
(``lineage``), subgraph export (``export``) and their commands (``commands``)."""
