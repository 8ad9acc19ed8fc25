"""Benchmark: the XLSX writer's deflate level, time against file size.

    .venv/bin/python bench/xlsx_level.py [--rows 100000] [--levels 1 6 9]

Writes the same rows (shaped like the households export: household and ID numbers, Chinese
names, codes, yuan amounts, varied by a seeded generator so the file does not compress
unrealistically well) with app.files.xlsx at each level, in this process, one after the
other; prints seconds and megabytes per level beside level 0 (stored, no compression) as the
baseline of the same run.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.files import xlsx  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
HEADER = ["户编号", "户主姓名", "所在村代码", "联系电话", "户类型", "家庭人口数", "提交状态", "人均纯收入（元）", "风险标识"]


def rows(count: int, seed: int = 7):
    rng = random.Random(seed)
    for index in range(count):
        yield [f"5323391{index:09d}", rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
               f"532339{rng.randint(100, 121):03d}{rng.randint(200, 230):03d}", f"13{rng.randint(0, 999999999):09d}",
               rng.choice(("一般农户", "脱贫户")), rng.randint(1, 8), rng.choice(("已通过", "待审核", "")),
               Decimal(rng.randint(200_000, 3_000_000)) / 100, rng.choice(("", "", "", "收入低于监测范围"))]


def write(level: int, count: int) -> tuple[float, int]:
    xlsx.COMPRESS_LEVEL = level
    start = time.perf_counter()
    size = sum(len(chunk) for chunk in xlsx.workbook_chunks("农户", HEADER, rows(count)))
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 6, 9])
    options = parser.parse_args()
    base_seconds, base_size = write(0, options.rows)
    print(f"{options.rows:,} rows; level 0 (stored): {base_seconds:6.2f} s  {base_size / 1e6:7.1f} MB  (baseline)")
    for level in options.levels:
        seconds, size = write(level, options.rows)
        print(f"level {level}: {seconds:6.2f} s ({seconds / base_seconds:4.2f}× baseline)  "
              f"{size / 1e6:7.1f} MB ({size / base_size:5.1%} of baseline)")


if __name__ == "__main__":
    main()
