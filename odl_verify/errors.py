"""The one exception a user's bad input raises; here, apart from torch, so that the pytest
plugin and the report can name it without importing the numerical stack."""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit code 2."""
