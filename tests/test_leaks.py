"""Nothing of the default plan shows where another plan is used, nor in code that serves every plan.

Another plan's run (examples/lakeside, in both languages) renders every page and notebook; none
may carry a word, name, id or year that belongs to Xiamen. The library, its templates and the
notebooks are read too: a plan's facts live in its plan folder, not in code.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

import xmforecast
from xmforecast.cli import main

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "lakeside"
#: Words and facts of the default plan; matched case-insensitively on pages.
WORDS = ["厦门", "Xiamen", "高新技术企业", "high-tech", "高企", "专利", "patents per 10,000", "per 10,000 residents",
         "每万人"]
#: Years of the default plan's base and targets, as standalone numbers.
YEARS = ["2016", "2017"]


@functools.cache
def _default_registry():
    return xmforecast.load_indicators()


def _xiamen_ids(*, compound: bool = True) -> list[str]:
    # In code, compound ids only: "population" or "gdp" are words any module may use.
    return [i for i in _default_registry()["id"] if "_" in i or not compound]


def _xiamen_names() -> list[str]:
    return [n for n in _default_registry()["name_zh"] if isinstance(n, str)]


def _leaks(text: str, years: list[str] = YEARS, *, case: bool = False, page: bool = False) -> list[str]:
    words = WORDS + (_xiamen_names() if page else [])
    found = [w for w in words if (w in text if case else w.lower() in text.lower())]
    found += [y for y in years if re.search(rf"(?<![\d.,]){y}(?![\d])", text)]
    found += [i for i in _xiamen_ids(compound=not page) if re.search(rf"(?<![\w]){re.escape(i)}(?![\w])", text)]
    return found


def _visible(page: str) -> str:
    """A page's text and attribute values, without the embedded font and images."""
    page = re.sub(r"url\(data:[^)]*\)|data:image/[^\"')]+", "", page)
    return re.sub(r"<style.*?</style>", "", page, flags=re.S)


@pytest.fixture(scope="module")
def lakeside_run(tmp_path_factory):
    """One run of the example plan with its scenario in English and in Chinese.

    Its observations start in 2018 here, so that any 2016 or 2017 on a page is the default plan's.
    """
    folder = tmp_path_factory.mktemp("lakeside")
    rows = (CITY / "observations.csv").read_text(encoding="utf-8").splitlines()
    kept = [rows[0]] + [r for r in rows[1:] if int(r.split(",")[1]) >= 2018]
    (folder / "observations.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    text = (CITY / "baseline.yaml").read_text(encoding="utf-8")
    text = text.replace("indicators_file: indicators.yaml", f"indicators_file: {CITY / 'indicators.yaml'}")
    text = text.replace("data_file: observations.csv", f"data_file: {folder / 'observations.csv'}")
    (folder / "en.yaml").write_text(text, encoding="utf-8")
    (folder / "zh.yaml").write_text(text.replace("scenario: lakeside-baseline", "scenario: lakeside-zh")
                                    .replace("lang: en", "lang: zh"), encoding="utf-8")
    out = folder / "reports"
    assert main(["run", str(folder / "en.yaml"), str(folder / "zh.yaml"), "--out", str(out), "--jobs", "2"]) == 0
    return out


def test_no_page_or_notebook_of_another_plans_run_carries_the_default_plans_facts(lakeside_run):
    files = sorted(lakeside_run.rglob("*.html")) + sorted(lakeside_run.rglob("*.ipynb"))
    assert len(files) >= 10
    city = [n for n in xmforecast.load_indicators(CITY / "indicators.yaml")["name_en"]]
    assert all(any(n in f.read_text(encoding="utf-8") for n in city) for f in files if f.name == "target_scenarios.html")
    found = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        years = YEARS
        if path.suffix == ".ipynb":  # what a reader sees: sources and outputs, not metadata
            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c.get("source", "")) + json.dumps(c.get("outputs", []), ensure_ascii=False)
                              for c in cells)
            years = []  # the code cells' numbers (a random seed of 2017) are not the plan's years
        leaks = _leaks(_visible(text), years, page=path.suffix == ".html")  # sources: code words allowed
        if leaks:
            found[str(path.relative_to(lakeside_run))] = leaks
    assert not found, "\n".join(f"{path}: {words}" for path, words in found.items())


#: The structural models name what they model (certificates of high-tech enterprises under the
#: national rules; patents per 10,000 residents): their own modules and the catalog entries that
#: word their parameters hold that vocabulary, which is the library's, not a plan's. The default
#: plan's name and ids may appear there no more than anywhere else.
DOMAIN_FILES = {"stockflow.py", "patents.py", "words.yaml", "phrases.py"}


def _code_files() -> list[Path]:
    library = [p for p in (ROOT / "xmforecast").rglob("*") if p.suffix in (".py", ".html", ".css", ".yaml")
               and "plans" not in p.relative_to(ROOT).parts]
    return sorted(library) + sorted((ROOT / "notebooks").glob("*.py"))


def test_library_templates_and_notebooks_name_no_plan():
    found = {}
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        # Case-sensitive: the default plan's folder, plans/xiamen, is named where the CLI picks it.
        # Years only outside Python code, whose examples use years of every kind.
        # The notebooks' random seed defaults to 2017: only 2016 is checked there.
        years = [] if path.suffix == ".py" and path.parent.name == "xmforecast" else \
            ["2016"] if path.parent.name == "notebooks" else ["2016", "2017"]
        leaks = _leaks(text, years=years, case=True)
        if path.name in DOMAIN_FILES:
            leaks = [w for w in leaks if w in ("厦门", "Xiamen") or w in _xiamen_ids()]
        if leaks:
            found[str(path.relative_to(ROOT))] = sorted(set(leaks))
    assert not found, "\n".join(f"{path}: {words}" for path, words in found.items())
