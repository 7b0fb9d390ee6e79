"""Every exception odl-verify raises on purpose, in one place; each message says what to do.

Kept free of torch and sympy, so that the pytest plugin and the report can name them
without importing the numerical stack.

* :class:`UsageError`: bad input from the user (an option, a path, a claim that cannot be
  built). The CLI prints it as one line and exits with 2.
* :class:`UserCodeError`: code the user gave us (a claim's ``measure``, a gate target) raised,
  hung past its timeout or returned something outside its contract. It becomes an *error
  verdict* naming the case, and the other checks still run.
"""


class OdlVerifyError(Exception):
    """Base class of the exceptions below."""


class UsageError(OdlVerifyError):
    """Bad input from the user: reported as one line, exit code 2."""


class UserCodeError(OdlVerifyError):
    """User code raised, hung or broke its contract: an error verdict, never a crash."""

    def __init__(self, message: str, *, case: dict | None = None):
        super().__init__(message)
        #: the input on which it happened, when there is one to show (a gate scenario, say)
        self.case = case


class UserCodeTimeout(UserCodeError):
    """User code did not return within its timeout (``--timeout``, ``CheckConfig.timeout``)."""
