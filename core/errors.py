"""Error types. Each carries a one-line, user-facing message naming the thing and the problem."""


class MlprovError(Exception):
    """Base class: the CLI prints ``str(err)`` on one line and exits with ``exit_code``."""

    exit_code = 1


class ConfigError(MlprovError):
    """Settings are missing or inconsistent (no server configured, bad MLPROV_HOME, ...)."""

    exit_code = 2


class ServerError(MlprovError):
    """The managed Neo4j server could not be resolved, started or stopped."""

    exit_code = 3


class WarehouseError(MlprovError):
    """Neo4j is unreachable, refused our credentials, lacks the database, or rejected a query."""

    exit_code = 4


class ServerLostError(WarehouseError):
    """The server went away, or stopped its database after a critical error (e.g. a full disk), mid-job:
    the job stops; run it again once the server is back (a load resumes where it stopped)."""


class MemoryLimitError(WarehouseError):
    """A statement needed more transaction memory than the server allows, even in the smallest batch."""


class IncompleteStoreError(MlprovError):
    """Nothing could be done: every store in scope is still 'loading' (its load never completed)."""

    exit_code = 8


class StoreLockedError(MlprovError):
    """Another job holds the lock of a store this job writes (core/locks.py)."""

    exit_code = 9


class SourceError(MlprovError):
    """An MLMD source cannot be read: missing, not SQLite, not MLMD, corrupt, unsupported version."""

    exit_code = 5


class QueryError(MlprovError):
    """A named query is unknown or a statement was refused (for example a write in a read session)."""

    exit_code = 6


class ModelVersionError(MlprovError):
    """The warehouse was written by another graph model than this mlprov's: older (run `mlprov migrate`)
    or newer (upgrade mlprov). Nothing is read or written then (loader/migrate.py)."""

    exit_code = 10
