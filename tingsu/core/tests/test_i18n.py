"""The Chinese translation is complete and compiled, Chinese is the default, the footer switch
changes the language, and times are shown in Asia/Shanghai."""

import gettext
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tingsu.core.testing import make_case

MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

# %(name)s / %(n)d / %(score).2f / %s, {{ var }} (blocktranslate) and {name} (str.format).
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-z]|%[a-z]|\{\{\s*\w+\s*\}\}|\{\w+\}")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields["msgid"]

    @property
    def translations(self) -> list[str]:
        return [v for k, v in self.fields.items() if k.startswith("msgstr")]


def _unquote(text: str) -> str:
    text = text.strip()
    assert text[0] == text[-1] == '"', text
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Every entry but the header; obsolete (#~) entries are skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, key = Entry(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif m := KEYWORD.match(line):
                key = m.group(1)
                entry.fields[key] = _unquote(m.group(2))
            else:
                entry.fields[key] += _unquote(line)
        if entry.fields.get("msgid"):
            entries.append(entry)
    return entries


ENTRIES = read_po(PO)


def test_the_po_file_has_a_chinese_header_with_one_plural_form():
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "Language: zh_Hans\\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;\\n" in header
    assert "fuzzy" not in header


def test_every_message_has_a_chinese_translation():
    assert len(ENTRIES) > 300
    untranslated = [e.msgid for e in ENTRIES if not all(t.strip() for t in e.translations)]
    assert untranslated == []


def test_no_translation_is_fuzzy():
    assert [e.msgid for e in ENTRIES if "fuzzy" in e.flags] == []


def test_plural_messages_have_exactly_one_chinese_form():
    plurals = [e for e in ENTRIES if "msgid_plural" in e.fields]
    assert plurals
    for entry in plurals:
        assert list(k for k in entry.fields if k.startswith("msgstr")) == ["msgstr[0]"]


def test_translations_keep_every_placeholder():
    for entry in ENTRIES:
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.translations:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid


def test_the_compiled_mo_file_matches_the_po_file():
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for entry in ENTRIES:
        ctx = entry.fields.get("msgctxt")
        if "msgid_plural" in entry.fields:
            args = (entry.msgid, entry.fields["msgid_plural"], 2)
            got = catalog.npgettext(ctx, *args) if ctx else catalog.ngettext(*args)
            assert got == entry.fields["msgstr[0]"], entry.msgid
        else:
            got = catalog.pgettext(ctx, entry.msgid) if ctx else catalog.gettext(entry.msgid)
            assert got == entry.fields["msgstr"], entry.msgid


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path, settings, monkeypatch):
    """Extract the strings of the code into a fresh .pot and look each one up in our .po.
    If this fails: `make messages`, then translate the new entries.

    makemessages writes a temporary .py beside every template it reads, so it runs on a
    copy of the sources: never in the checkout, where another run may be reading them."""
    if not shutil.which("xgettext"):
        pytest.skip("xgettext (Debian package gettext) is not installed")
    sources = tmp_path / "sources"
    shutil.copytree(
        Path(settings.BASE_DIR) / "tingsu",
        sources / "tingsu",
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.pyc"),
    )
    out = tmp_path / "locale"
    out.mkdir()
    settings.LOCALE_PATHS = [str(out)]
    monkeypatch.chdir(sources)

    call_command("makemessages", locale=["zh_Hans"], keep_pot=True, verbosity=0)

    in_code = {(e.fields.get("msgctxt"), e.msgid) for e in read_po(out / "django.pot")}
    assert len(in_code) > 300
    translated = {
        (e.fields.get("msgctxt"), e.msgid)
        for e in ENTRIES
        if "fuzzy" not in e.flags and all(t.strip() for t in e.translations)
    }
    assert sorted(in_code - translated, key=str) == []


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.mark.parametrize(
    "url_name, english",
    [
        ("portal:home", ["File a complaint", "Track my case"]),
        ("desk:login", ["Staff login", "Log in"]),
    ],
)
def test_pages_are_in_chinese_by_default(client, db, url_name, english):
    html = client.get(reverse(url_name)).content.decode()
    assert '<html lang="zh-hans">' in html
    for text in english:
        assert chinese(text) != text
        assert chinese(text) in html
        assert text not in html


@pytest.mark.parametrize(
    "url_name, english",
    [
        ("portal:home", ["File a complaint", "Track my case"]),
        ("desk:login", ["Staff login", "Log in"]),
    ],
)
def test_the_language_switch_shows_pages_in_english(client, db, url_name, english):
    url = reverse(url_name)
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url

    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    for text in english:
        assert text in html
        assert chinese(text) not in html


def test_the_language_switch_can_go_back_to_chinese(client, db):
    client.post(reverse("set_language"), {"language": "en"})
    client.post(reverse("set_language"), {"language": "zh-hans"})
    html = client.get(reverse("portal:home")).content.decode()
    assert chinese("File a complaint") in html


def test_every_page_offers_the_language_switch(client, db):
    html = client.get(reverse("desk:login")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert '<option value="en"' in html
    assert "简体中文" in html


def test_the_case_page_shows_times_in_shanghai(world, client):
    with time_machine.travel(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), tick=False):
        case = make_case(department=world.service, assignee=world.alice)
    client.force_login(world.alice)

    html = client.get(reverse("desk:case", args=[case.number])).content.decode()

    assert "2026-11-24 00:30" in html
    assert "2026-11-23 16:30" not in html


def test_the_admin_is_in_chinese_with_our_header_and_app_names(world, client):
    client.force_login(world.root)

    html = client.get(reverse("admin:index")).content.decode()

    for text in ["Tingsu administration", "Case handling", "Accounts", "Customers", "Audit"]:
        assert chinese(text) in html
