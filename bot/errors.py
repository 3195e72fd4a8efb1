"""Project exceptions. Only ``UserFacingError`` carries text meant for users."""


class BeatwatchError(Exception):
    """Base class of every exception the domain raises on purpose."""


class UserFacingError(BeatwatchError):
    """A mistake the user can fix; ``str(err)`` is shown to them as is."""


class StorageError(BeatwatchError):
    """The database could not do what was asked (locked, full, corrupt)."""
