"""URLs as a browser reads them, for the checks of what a page loads: the host a URL fetches from
(the WHATWG URL parser's rules, which ``urllib.parse.urlsplit`` does not follow: ``/\\host`` and
``http:host`` leave the site) and the URLs of a ``srcset``. Failing closed: what cannot be read
counts as another host. Pure functions."""

from __future__ import annotations

import re

__all__ = ["srcset_urls", "url_host"]

#: The WHATWG URL parser's "special" schemes (``\`` is ``/``, the host follows any number of
#: slashes), with their default ports.
_SPECIAL = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "file": None}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
#: What a browser strips from both ends of a URL (C0 controls and space) and removes anywhere in
#: it (ASCII tab and newline).
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
#: Where the authority of a special URL ends, and of any other URL.
_SPECIAL_AUTHORITY_END = re.compile(r"[/\\?#]")
_AUTHORITY_END = re.compile(r"[/?#]")
_ASCII_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
_PORT = re.compile(r"[0-9]*")
#: What ``url_host`` says of a URL whose host it cannot tell; never an allowed host.
_UNPARSABLE = "an unparsable URL"


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset``: each candidate's as the HTML standard splits them (a URL is a run
    of non-whitespace and may hold commas), and, failing closed, each comma-separated part's first
    word too, so that a URL is counted however a reader splits the list."""
    urls: list[str] = []
    position, end = 0, len(srcset)
    while True:
        while position < end and srcset[position] in "\t\n\f\r ,":
            position += 1
        if position >= end:
            break
        start = position
        while position < end and srcset[position] not in "\t\n\f\r ":
            position += 1
        url = srcset[start:position]
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        in_parens = False  # the descriptors, up to a comma outside parentheses
        while position < end and (in_parens or srcset[position] != ","):
            in_parens = (in_parens or srcset[position] == "(") and srcset[position] != ")"
            position += 1
    for part in srcset.split(","):
        words = _ASCII_WHITESPACE.split(part.strip("\t\n\f\r "), maxsplit=1)
        if words[0] and words[0] not in urls:
            urls.append(words[0])
    return urls


def url_host(url: str) -> str | None:
    """The host[:port] a URL loads from on an https page of this site, or None for a URL on this
    site (a relative path, ``#...``, ``?...``) or one no browser fetches over the network
    (``data:``, ``mailto:``, ``javascript:``, a ``file:`` path).

    A browser reads a URL with the WHATWG URL parser, not as ``urlsplit`` does, so this follows
    its rules: strip C0 controls and spaces from both ends and remove every ASCII tab, LF and CR;
    lowercase the scheme; in a special scheme (http, https, ws, wss, ftp, file), and in a URL with
    no scheme (relative to this https page), ``\\`` is ``/``, the authority follows any number of
    slashes after the scheme (``http:host`` is ``http://host``) and ends at the first ``/``, ``\\``,
    ``?`` or ``#``; the host is what follows the last ``@`` of the authority. The scheme's default
    port is dropped. Failing closed: ``https:host`` counts as a load from ``host`` (a browser on
    an https page reads it as a path), and a host or port no parser accepts is "an unparsable
    URL", a host never allowed. Percent-encoded and IDN hosts are only lowercased, so they never
    equal an allowed host written plainly."""
    url = _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE))
    scheme = _SCHEME.match(url)
    if scheme is None:  # relative: only //host (any mix of / and \\) leaves this site
        if len(url) < 2 or url[0] not in "/\\" or url[1] not in "/\\":
            return None
        name, rest = "https", url
    else:
        name, rest = scheme.group()[:-1].lower(), url[scheme.end() :]
    if name not in _SPECIAL:
        if not rest.startswith("//"):
            return None
        authority = _AUTHORITY_END.split(rest[2:], maxsplit=1)[0]
    elif name == "file":
        if len(rest) < 2 or rest[0] not in "/\\" or rest[1] not in "/\\":
            return None
        authority = _SPECIAL_AUTHORITY_END.split(rest[2:], maxsplit=1)[0]
    else:
        authority = _SPECIAL_AUTHORITY_END.split(rest.lstrip("/\\"), maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 address, whose colons are not the port's
        name_end = host.find("]") + 1
        if not name_end:
            return _UNPARSABLE
        hostname, port = host[:name_end], host[name_end:]
        if port and not port.startswith(":"):
            return _UNPARSABLE
        port = port[1:]
    else:
        hostname, _, port = host.partition(":")
    if not _PORT.fullmatch(port) or (port and int(port) > 65535):
        return _UNPARSABLE
    if not hostname:
        return None if name not in _SPECIAL or name == "file" else _UNPARSABLE
    if port and int(port) != _SPECIAL.get(name):
        return f"{hostname.lower()}:{int(port)}"
    return hostname.lower()
