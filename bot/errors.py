"""Project exceptions. Only ``UserFacingError`` carries text meant for users."""


class BeatwatchError(Exception):
    """Base class of every exception the domain raises on purpose."""


class UserFacingError(BeatwatchError):
    """A mistake the user can fix; ``str(err)`` is shown to them as is."""


class StorageError(BeatwatchError):
    """The database could not do what was asked (locked, full, corrupt)."""


class OperatorError(BeatwatchError):
    """Something the operator has to fix or wait out, not a bug: the CLI prints ``str(err)`` as
    one line and exits 1, without a traceback (e.g. a broken seed file)."""


class DatabaseUnavailable(OperatorError, StorageError):
    """The database cannot be used: ``kind`` is "locked" (another process holds the write
    lock), "read-only", "full", "corrupt", "cannot-open", "io-error" or "newer" (its schema
    comes from a newer beatwatch)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
