"""Write verbs for areas: load statistical codes from a file, add a village group."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.codes import AREA_LEVEL
from app.errors import InvalidInput
from app.extensions import db
from app.geo import codes_csv
from app.geo.models import Area


class AreaCodesRejected(Exception):
    """The file was not loaded; ``problems`` says every reason, row by row."""

    def __init__(self, problems: list[codes_csv.Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class LoadResult:
    added: int
    updated: int
    unchanged: int


def load_area_codes(data: bytes, code_year: int) -> LoadResult:
    """Add the file's new codes and bring stored ones up to this code year, all or nothing.

    A stored area takes the file's name and code year unless it already carries a later
    code year: loading last year's file after this year's changes nothing.
    """
    stored = {area.code: area for area in db.session.scalars(select(Area))}
    parsed = codes_csv.parse(data, known_codes=stored.keys())
    if parsed.problems:
        raise AreaCodesRejected(parsed.problems)
    added = updated = unchanged = 0
    # Parents before their children (AREA_LEVEL lists the levels from the top).
    for row in sorted(parsed.rows, key=lambda row: (AREA_LEVEL.values.index(row.level), row.code)):
        area = stored.get(row.code)
        if area is None:
            stored[row.code] = Area(code=row.code, name=row.name, level=row.level, code_year=code_year,
                                    parent=stored[row.parent_code] if row.parent_code else None)
            db.session.add(stored[row.code])
            added += 1
        elif area.code_year <= code_year and (area.name, area.code_year) != (row.name, code_year):
            area.name, area.code_year = row.name, code_year
            updated += 1
        else:
            unchanged += 1
    db.session.commit()
    return LoadResult(added, updated, unchanged)


def add_group(village: Area, name: str) -> Area:
    """A new group under ``village``, numbered one past the highest group number there."""
    name = name.strip()
    if village.level != "village":
        raise InvalidInput("village", _("只能在村下添加村民小组。"))
    if not name:
        raise InvalidInput("name", _("请输入村民小组名称。"))
    existing = db.session.execute(
        select(Area.code, Area.name).where(Area.parent_id == village.id, Area.level == "group")
    ).all()
    if any(other_name == name for _code, other_name in existing):
        raise InvalidInput("name", _("%(village)s已有名为“%(name)s”的村民小组。", village=village.name, name=name))
    number = max((int(code[12:]) for code, _name in existing), default=0) + 1
    if number > 999:
        raise InvalidInput("village", _("%(village)s的村民小组编号已用完。", village=village.name))
    group = Area(code=f"{village.code}{number:03d}", name=name, level="group", parent=village,
                 code_year=village.code_year)
    db.session.add(group)
    db.session.commit()
    return group
