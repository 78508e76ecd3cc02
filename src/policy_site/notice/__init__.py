"""``policy-site notice 2027-01-01``: the e-mail that tells registered users of a change, in each
language the version has, ready for the mailing tool: an RFC 5322 message (``.eml``: plain text
and HTML, multipart/alternative) and the HTML alone.

What it says comes from the version's front matter and its redline: what changes (the summary,
the sections changed), when it takes effect, links to the new text, the redline and the archive,
and where to write with questions (the plugin's ``contact``). It holds no image, no script, no
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

from policy_site.locale import say
from policy_site.problems import PolicySiteError
from policy_site.site import SiteConfig, load_site
from policy_site.versions import Entry, Policy
from policy_site.versions.anchors import heading_anchors
from policy_site.versions.redline import make_redline
from policy_site.versions.timeline import WITHDRAWN

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
    converter: markdown.Markdown, source: Entry, entry: Entry, page: str
) -> list[dict[str, str]]:
    """The sections that hold a change, each linking its place in the new text. A translation
    with no translation before it names them by its own headings, the source's matched in
    order, when it has as many as the source (a translation keeps the source's sections)."""
    assert source.previous is not None
    before, after = (_html(converter, v.body) for v in (source.previous, source.version))
    changed = make_redline(before, after).sections
    if entry is not source and entry.previous is not None:
        texts = [_html(converter, v.body) for v in (entry.previous, entry.version)]
        changed = make_redline(*texts).sections
    elif entry is not source:
        theirs = list(heading_anchors(after))
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
        raise NoticeError(
            f"version {version_id} is not published on {timeline.today} (published: {ids}); "
            "announce it first ('announced' in its front matter, on or before the build date)."
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
            "sections": _sections(converter, source, entry, page),
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


def write_notices(
    config: SiteConfig,
    version_id: str,
    environ: Mapping[str, str],
    out: Path | None,
    sender: str | None,
) -> list[Path]:
    """Writes ``notice-<id>.<language>.eml`` and ``.html`` for each language into ``out``
    (default: ``notices/`` beside mkdocs.yml); returns what it wrote."""
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
    paths = []
    for notice in found:
        stem = f"notice-{version_id}.{notice.language}"
        eml, html = folder / f"{stem}.eml", folder / f"{stem}.html"
        eml.write_bytes(notice.message)
        html.write_text(notice.html, encoding="utf-8")
        paths += [eml, html]
    return paths
