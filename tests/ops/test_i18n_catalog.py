"""The Chinese interface catalogue is complete and compiled."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "platform" / "locale" / "zh_Hans" / "LC_MESSAGES"


def entries(po_text: str) -> list[dict]:
    """A small .po reader: msgid/msgstr with continuation lines, and the fuzzy flag."""
    found, current, key, fuzzy = [], {}, None, False
    for line in po_text.splitlines():
        if line.startswith("#"):
            fuzzy = fuzzy or line.startswith("#,") and "fuzzy" in line
            continue
        # msgstr[0] is how a plural entry is translated (Chinese has one form).
        start = re.match(r'(msgid|msgstr)(?:\[\d+\])? "(.*)"$', line)
        if start:
            key = start.group(1)
            if key == "msgid":
                if current:
                    found.append(current)
                current, fuzzy = {"fuzzy": fuzzy}, False
            current[key] = start.group(2)
        elif key and (more := re.match(r'"(.*)"$', line)):
            current[key] += more.group(1)
    if current:
        found.append(current)
    return [e for e in found if e.get("msgid")]  # the header has an empty msgid


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_interface_string_has_a_chinese_translation(domain):
    po = (LOCALE / f"{domain}.po").read_text(encoding="utf-8")
    catalog = entries(po)
    assert len(catalog) > 20
    missing = [e["msgid"] for e in catalog if not e.get("msgstr") or e["fuzzy"]]
    assert missing == []
    assert (LOCALE / f"{domain}.mo").stat().st_mtime >= (LOCALE / f"{domain}.po").stat().st_mtime - 1


def test_chinese_is_served_when_chosen(client, django_user_model):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Submit and train") == "提交并开始训练"
        assert translation.gettext("Time limit of %(seconds)d s exceeded.") % {"seconds": 5} == "超过了 5 秒的时间限制。"
