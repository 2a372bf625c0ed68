"""Each app's Simplified Chinese catalogue is what its users see.

Django merges every catalogue into one: for the same msgid (and msgctxt) ``LOCALE_PATHS`` wins,
then the app listed first in ``INSTALLED_APPS`` (Django's own apps included). A later app's
translation of a string an earlier one also uses is silently dropped: patrols' "worker" (网格员)
came out as core's 后台进程. So for every app under ``wangge/`` with a zh_Hans catalogue, each
translated, non-fuzzy entry of its ``django.po`` must come back from gettext exactly as written.
When two apps mean different things by one English word, one of them gives it a context
(``pgettext_lazy("patrol", "Name")``, ``{% translate "Close" context "case" %}``); when they
only chose different synonyms, the loser's catalogue is aligned with what is shown.

This also catches a ``.mo`` that was not recompiled after its ``.po`` changed. No database:
only the catalogues are read (pytest-django refuses a query from an unmarked test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]  # the wangge package
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    line: int
    msgid: str = ""
    context: str | None = None
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(token: str, where: str) -> str:
    """The text of one quoted PO string, its C escapes resolved."""
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"{where}: not a quoted string: {token!r}")

    def escape(match: re.Match) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise ValueError(f"{where}: unknown escape \\{char}")
        return _ESCAPES[char]

    return re.sub(r"\\(.)", escape, token[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a PO file (the header and obsolete ``#~`` entries left out).

    A small reader for what ``makemessages`` writes: comments and flags, msgctxt, msgid,
    msgid_plural, msgstr / msgstr[n], each possibly continued on following quoted lines.
    """
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field the next continuation line extends
    fuzzy = False

    def finish() -> None:
        nonlocal current, target, fuzzy
        if current is not None:
            if not current.msgstr:
                raise ValueError(f"{path}:{current.line}: msgid without msgstr")
            if current.msgid:  # msgid "" is the header
                entries.append(current)
            fuzzy = False
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}:{number}"
        line = raw.strip()
        if not line:  # entries are separated by blank lines; msgfmt reads one inside an entry as space
            if current is None or current.msgstr:
                finish()
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                fuzzy = True
            continue  # obsolete (#~), previous (#|), references, translator comments
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{where}: a continuation line with nothing to continue")
            text = _unquote(line, where)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{where}: cannot read {raw!r}")
        keyword, index, token = match.groups()
        text = _unquote(token, where)
        if keyword in ("msgctxt", "msgid") and (
            current is None or current.msgstr or (keyword == "msgctxt" and current.msgid)
        ):
            finish()
            current = Entry(line=number, fuzzy=fuzzy)
        if current is None:
            raise ValueError(f"{where}: {keyword} before msgid")
        if keyword == "msgctxt":
            current.context, target = text, ("context", 0)
        elif keyword == "msgid":
            current.msgid, target = text, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.plural, target = text, ("plural", 0)
        else:
            n = int(index) if index is not None else 0
            current.msgstr[n], target = text, ("msgstr", n)
    finish()
    return entries


def shown(entry: Entry) -> list[tuple[str, str]]:
    """(what the catalogue says, what Django returns) for each form of ``entry``."""
    if entry.plural is None:
        if entry.context is None:
            got = translation.gettext(entry.msgid)
        else:
            got = translation.pgettext(entry.context, entry.msgid)
        return [(entry.msgstr[0], got)]
    pairs = []
    for n in (1, 2):  # Chinese has one plural form: msgstr[0] for every n
        if entry.context is None:
            got = translation.ngettext(entry.msgid, entry.plural, n)
        else:
            got = translation.npgettext(entry.context, entry.msgid, entry.plural, n)
        pairs.append((entry.msgstr[0], got))
    return pairs


def test_the_reader_handles_what_makemessages_writes(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py:1\nmsgid "Name"\nmsgstr "名称"\n\n'
        'msgctxt "person"\nmsgid "Name"\nmsgstr "姓名"\n\n'
        '#, fuzzy, python-format\nmsgid "Close"\nmsgstr "关闭"\n\n'
        'msgid ""\n"Say \\"hi\\"\\n"\n"twice"\nmsgstr ""\n"说\\"你好\\"\\n两次"\n\n'
        'msgid "%(n)s case"\nmsgid_plural "%(n)s cases"\nmsgstr[0] "%(n)s 件"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n\n'
        '#, python-format\nmsgid "%(n)s left"\n\nmsgstr "还剩 %(n)s"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "已删"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert [(e.context, e.msgid, e.msgstr, e.fuzzy, e.translated) for e in entries] == [
        (None, "Name", {0: "名称"}, False, True),
        ("person", "Name", {0: "姓名"}, False, True),
        (None, "Close", {0: "关闭"}, True, True),
        (None, 'Say "hi"\ntwice', {0: '说"你好"\n两次'}, False, True),
        (None, "%(n)s case", {0: "%(n)s 件"}, False, True),
        (None, "Untranslated", {0: ""}, False, False),
        (None, "%(n)s left", {0: "还剩 %(n)s"}, False, True),
    ]
    assert entries[4].plural == "%(n)s cases"


@pytest.mark.parametrize(
    "po", CATALOGUES, ids=[str(p.parents[3].relative_to(ROOT)) for p in CATALOGUES]
)
def test_every_translation_of_an_app_is_the_one_shown(po):
    mismatches = []
    with translation.override("zh-hans"):
        for entry in parse_po(po):
            if entry.fuzzy or not entry.translated:
                continue
            for mine, got in shown(entry):
                if mine != got:
                    label = entry.msgid if entry.context is None else f"{entry.context}|{entry.msgid}"
                    mismatches.append(f"  line {entry.line}: {label!r}: mine={mine!r} got={got!r}")
                    break
    app = po.parents[3].relative_to(ROOT)
    assert not mismatches, (
        f"{app}: {len(mismatches)} translation(s) overridden by an earlier catalogue "
        f"(give the string a context, or align the msgstr with what is shown):\n"
        + "\n".join(mismatches)
    )
