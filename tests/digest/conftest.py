from tests.alerts.conftest import newsroom  # noqa: F401  (the same small newsroom)
