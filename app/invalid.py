"""The one error a write verb raises when its input breaks a rule.

``field`` names the form field the message belongs beside (None: the whole request), so a
view can show the message where the user will look, in the language of the request.
"""
from __future__ import annotations


class InvalidInput(ValueError):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
