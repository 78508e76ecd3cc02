"""``policy-site notice 2027-01-01``: the e-mail that tells registered users of a change, in each
language the version has, ready for the mailing tool: an RFC 5322 message (``.eml``: plain text
and HTML, multipart/alternative) and the HTML alone. It says which languages it wrote, and of
each other language of the site why it wrote none (no translation of the version, or one not
published yet) and what to do.

What it says comes from the version's front matter and its redline: what changes (the summary,
the sections changed, but for a section whose only change is the date: ``notice.sections``),
when it takes effect, links to the new text, the redline and the archive, and where to write
with questions (the plugin's ``contact``). It holds no image, no script, no
tracking parameter and no URL of another host: every link is to the site's own pages. The Date
is the build date and the Message-ID is the version's and the language's, so that the same
inputs write the same bytes.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markdown
from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape

from policy_site.commands import command
from policy_site.editor import Outcome
from policy_site.locale import say
from policy_site.notice.sections import changed_sections, version_days
from policy_site.problems import PolicySiteError, display
from policy_site.site import SiteConfig, load_site
from policy_site.versions import Entry, Policy, Settings
from policy_site.versions.anchors import heading_anchors
from policy_site.versions.timeline import WITHDRAWN, is_published

__all__ = ["Notice", "NoticeError", "notices", "write_notices"]


class NoticeError(PolicySiteError):
    """No notice can be written: the message says why and what to do."""


@dataclass(frozen=True)
class Notice:
    language: str
    subject: str
    text: str
    html: str
    message: bytes


def _markdown(extensions: Mapping[str, Mapping[str, Any]]) -> markdown.Markdown:
    """Python-Markdown with the site's extensions, so that sections get the site's anchors."""
    configs = {name: dict(options) for name, options in extensions.items()}
    return markdown.Markdown(extensions=list(extensions), extension_configs=configs)


def _html(converter: markdown.Markdown, body: str) -> str:
    converter.reset()
    return converter.convert(body)


def _template(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _sections(
    converter: markdown.Markdown, source: Entry, entry: Entry, page: str, settings: Settings
) -> list[dict[str, str]]:
    """The sections that hold a change other than the date, each linking its place in the new
    text: the translation's own redline's, or the source's. A translation with no translation
    before it names them by its own headings, the source's matched in order, when it has as
    many as the source (a translation keeps the source's sections)."""
    compared = entry if entry.previous is not None else source
    assert compared.previous is not None, "notices() refuses a first version"
    old, new = (
        (_html(converter, v.body), version_days(v)) for v in (compared.previous, compared.version)
    )
    language = compared.version.language or settings.language
    changed = changed_sections(old, new, language, settings.words)
    if compared is not entry:
        theirs = list(heading_anchors(new[0]))
        headings = list(heading_anchors(_html(converter, entry.version.body)).items())
        if len(theirs) != len(headings):
            return []
        changed = tuple(headings[theirs.index(anchor)] for anchor, _ in changed if anchor in theirs)
    return [{"title": title, "url": f"{page}#{anchor}"} for anchor, title in changed]


def notices(
    policy: Policy, version_id: str, site_url: str, site_name: str,
    extensions: Mapping[str, Mapping[str, Any]],
    sender: str,
) -> list[Notice]:  # fmt: skip
    """The notice of ``version_id`` in the authoritative language and each translation of it."""
    settings, timeline = policy.settings, policy.timeline
    source = timeline.entry(version_id)
    if source is None:
        ids = ", ".join(entry.id for entry in timeline.entries)
        if version_id not in {version.id for version in policy.versions}:
            every = ", ".join(version.id for version in policy.versions)
            raise NoticeError(f"no version takes effect on {version_id}; the versions are {every}.")
        raise NoticeError(
            f"version {version_id} is not published on {timeline.today} (published: {ids}): a "
            f"draft is not announced to anyone. Announce it first: policy-site announce "
            f"{version_id}."
        )
    if source.status == WITHDRAWN:
        raise NoticeError(f"version {version_id} was withdrawn: there is no change to announce.")
    if source.previous is None:
        raise NoticeError(f"version {version_id} is the first version: it changes nothing.")
    contact = settings.contact
    if not contact:
        raise NoticeError(
            "mkdocs.yml: plugins.policy-site.contact is not set: set it to the address readers "
            "write to with questions about the policy (e.g. privacy@example.com)."
        )
    root = site_url.rstrip("/") + "/"
    converter = _markdown(extensions)
    env = Environment(
        loader=FunctionLoader(_template),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html.j2"], default=False),
        keep_trailing_newline=True,
    )
    host = urlsplit(root).hostname or "localhost"
    written = []
    entries = {settings.language: source}
    for code, translated in policy.translations.items():
        found = translated.entry(version_id)
        if found is not None:
            entries[code] = found
    for code, entry in entries.items():
        words = settings.words.texts(code)
        notice_words = words["notice"]
        page = root + settings.version_url(version_id, code)
        own_redline = entry.previous is not None
        redline_language = code if own_redline else settings.language
        effective = settings.words.long_date(entry.version.effective, code)
        authoritative = settings.words.name(settings.language, code)
        data = {
            "language": code,
            "t": notice_words,
            "subject": say(notice_words["subject"], effective=effective),
            "intro": say(notice_words["intro"], site=site_name, effective=effective),
            "summary": entry.version.summary or "",
            "sections": _sections(converter, source, entry, page, settings),
            "page": page,
            "redline": root + settings.redline_url(version_id, redline_language),
            "redline_label": (
                notice_words["redline"]
                if own_redline
                else say(notice_words["redline_other"], language=authoritative)
            ),
            "archive": root + settings.archive_url(code),
            "questions": notice_words["questions"],
            "contact": contact,
            "why": say(notice_words["why"], site=site_name),
            "translation": (
                None
                if code == settings.language
                else say(notice_words["translation"], language=authoritative)
            ),
        }
        text = env.get_template("notice.txt.j2").render(**data)
        html = env.get_template("notice.html.j2").render(**data)
        message = EmailMessage(policy=email.policy.SMTP)
        message["From"] = sender or email.utils.formataddr((site_name, contact))
        message["To"] = "undisclosed-recipients:;"
        message["Subject"] = data["subject"]
        midnight = dt.datetime.combine(timeline.today, dt.time(), dt.UTC)
        message["Date"] = email.utils.format_datetime(midnight)
        message["Message-ID"] = f"<privacy-policy-{version_id}.{code}@{host}>"
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        message["Content-Language"] = code
        message.set_boundary(f"policy-notice-{version_id}-{code}")  # not random: reproducible
        written.append(Notice(code, data["subject"], text, html, message.as_bytes()))
    return written


def _skipped(policy: Policy, version_id: str, code: str) -> str:
    """Why ``code`` has no notice of ``version_id`` (notices() writes one for each published
    translation of it), and what to do."""
    source = policy.timeline.entry(version_id)
    assert source is not None, "notices() refuses a version that is not published"
    today, again = policy.timeline.today, command(f"notice {version_id}")
    mine = [t for t in policy.translated_versions if t.language == code]
    translation = next((t for t in mine if t.id == version_id), None)
    if translation is None:
        path = display(source.version.path.with_name(f"{version_id}.{code}.md"))
        newest = f"the newest {code} translation is {mine[-1].key}.md" if mine else "none yet"
        return (
            f"skipped, no translation of {version_id} ({newest}): write {path}, then "
            f"{command('check --update-lock')} and {again} again."
        )
    assert not is_published(translation, today), "a published translation gets a notice"
    return (
        f"skipped, {display(translation.path)} is not published on {today}: its 'announced' is "
        f"{translation.announced}. Run {again} again from that day, or set its 'announced' to "
        "the day it is published."
    )


def write_notices(
    config: SiteConfig,
    version_id: str,
    environ: Mapping[str, str],
    out: Path | None,
    sender: str | None,
) -> Outcome:
    """Writes ``notice-<id>.<language>.eml`` and ``.html`` for each language that has the version
    into ``out`` (default: ``notices/`` beside mkdocs.yml); says, language by language, what it
    wrote, or why it wrote nothing."""
    policy = load_site(config, environ).policy
    site_url = config.site_url
    if not site_url.startswith(("https://", "http://")):
        raise NoticeError(
            "mkdocs.yml: site_url is not set: a notice links the site's pages by their full "
            "address; set it (e.g. https://www.example.com/)."
        )
    found = notices(policy, version_id, site_url, config.site_name, config.markdown, sender or "")
    folder = out or config.root.resolve() / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    said = {}
    for notice in found:
        stem = f"notice-{version_id}.{notice.language}"
        eml, html = folder / f"{stem}.eml", folder / f"{stem}.html"
        eml.write_bytes(notice.message)
        html.write_text(notice.html, encoding="utf-8")
        said[notice.language] = f"wrote {display(eml)} and {display(html)}"
    languages = (policy.settings.language, *policy.settings.translated)
    return Outcome(
        [f"{code}: {said.get(code) or _skipped(policy, version_id, code)}" for code in languages]
        + ["Import the .eml into the mailing tool, or paste the .html as the message."]
    )
