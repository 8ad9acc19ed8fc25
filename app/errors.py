"""The errors a domain verb raises, and the one place that says what each means over HTTP.

Every refusal a service can give is a ``DomainError``; its kind says what the user's request
met, and ``status`` is the HTTP code a page or API answers with:

- ``InvalidInput`` (422): the input breaks a rule; ``field`` names the form field the
  message belongs beside (None: the whole request), ``message`` is already translated.
- ``Forbidden`` (403): the action exists, but not for this user's role.
- ``Conflict`` (409): the record's state does not allow it now, or someone changed the
  record since it was loaded (the page is stale).

A view chooses how to show each (the page again with the message, an error page, JSON);
``status`` is never decided anywhere else. Workflow modules subclass these with their own
message ids (``message``, filled by ``params``).

Pure module: no Flask, no database.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 422
    message = ""  # a message id, or (InvalidInput) a translated sentence
    params: dict = {}  # read only: subclasses and instances set their own


class InvalidInput(DomainError, ValueError):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class StaleVersion(Conflict):
    """Someone changed the record since the page was loaded (its optimistic lock moved on).
    ``message`` says so for the kind of record (a census record, a proposal)."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message or self.message
