"""Reading one cell's text of an uploaded table (the roster, a department's warning list) as
an ID number or a date; ``Bad`` carries why not, as a message id and its parameters.

Numbers are read as app/typed.py says (via identity); dates need ASCII digits.

Pure module: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from app import clock, identity
from app.codes import N_


class Msgid(str):
    """A reason parameter that is itself a message id (a code label), translated with the reason."""


@dataclass(frozen=True)
class Problem:
    row: int | None  # None for a problem with the whole file
    column: str | None
    value: str | None
    message: str
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        from flask_babel import gettext  # late: keeps this module importable without Flask

        params = {key: gettext(value) if isinstance(value, Msgid) else value for key, value in self.params.items()}
        return gettext(self.message, **params)

    def as_dict(self) -> dict:
        """As JSON keeps it (a job's outcome), with the parameters that are message ids named."""
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message,
                "params": self.params,
                "msgids": [key for key, value in self.params.items() if isinstance(value, Msgid)]}

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        params = {key: Msgid(value) if key in data["msgids"] else value for key, value in data["params"].items()}
        return cls(data["row"], data["column"], data["value"], data["message"], params)


class Bad(Exception):
    """A cell that cannot be read; carries the reason's message id and parameters."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)
DATE_SEPARATED = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?(?:[ T].*)?$")
DATE_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")

ID_PROBLEMS = {
    identity.LENGTH: N_("证件号码应为 18 位（残疾人证号为 20 位）"),
    identity.CHARACTERS: N_("证件号码只能是数字，最后一位可以是 X"),
    identity.BIRTH_DATE: N_("证件号码中的出生日期不存在"),
    identity.CHECKSUM: N_("证件号码校验位不对，请核对是否录错"),
}


def normalise_header(text: object) -> str:
    """A header as matched: spaces gone, brackets half-width, lower case, no leading "*"
    (import templates mark required columns that way)."""
    cleaned = "".join(str(text or "").split()).replace("（", "(").replace("）", ")").lower()
    return cleaned.lstrip("*")


def id_number(text: str) -> str:
    """The normalised number (18 characters, or a 20-character disability certificate number)."""
    if SCIENTIFIC.match(text.strip()):
        raise Bad(N_("证件号码在 Excel 中被存成了数字，末尾几位已丢失；请把该列设为文本格式后重新导出"))
    resident = identity.parse(text, clock.today())
    if not resident.valid:
        raise Bad(ID_PROBLEMS[resident.problem])
    return resident.number


def date(text: str) -> dt.date:
    match = DATE_SEPARATED.match(text) or DATE_COMPACT.match(text)
    try:
        if match:
            return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise Bad(N_("日期无法识别，请写成 1980-05-17 这样的形式"))
