"""Where webhooks may point: http or https URLs whose every address is allowed.

Server-side request forgery is the risk: a subscription makes Stoat send requests to a
URL its caller chose. Unless ``allow_private`` is set, a URL is refused when any address
its host resolves to is loopback, private, link-local, shared (carrier-grade NAT) or
otherwise not globally routable. Delivery resolves the host again, checks again, and
connects to the very address it checked, so a DNS answer that changes after the check
(rebinding) gains nothing. Multicast and unspecified addresses are never allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from stoat.errors import ErrorItem, error_item

MAX_URL = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL."""

    scheme: str
    host: str
    """ASCII (IDNA) host name or address literal, without brackets."""
    port: int
    path: str
    """Path and query, as sent in the request line."""


class TargetRefused(Exception):
    """The URL's host resolves to an address webhooks may not reach, or to none."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_target(url: str) -> Target:
    """Parses a webhook URL; raises :class:`TargetRefused` (``invalid_url``,
    ``url_scheme_not_allowed``) when it cannot be one."""
    if len(url) > MAX_URL:
        raise TargetRefused("invalid_url", f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise TargetRefused("invalid_url", f"not a URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise TargetRefused(
            "url_scheme_not_allowed", f"the scheme must be http or https, not {scheme!r}"
        )
    if not parts.hostname:
        raise TargetRefused("invalid_url", "the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("invalid_url", "credentials in the URL are not supported")
    if parts.fragment:
        raise TargetRefused("invalid_url", "a webhook URL has no #fragment")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url.strip()):
        raise TargetRefused("invalid_url", "the URL contains spaces or control characters")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetRefused("invalid_url", "the host name is not valid") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def refusal(address: IPAddress, allow_private: bool) -> str | None:
    """Why webhooks may not reach ``address``, or None if they may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return refusal(embedded, allow_private)
    if address.is_multicast or address.is_unspecified:
        return "a multicast or unspecified address"
    if allow_private:
        return None
    for kind, flag in (
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a private", address.is_private),
        ("a reserved", address.is_reserved),
    ):
        if flag:
            return f"{kind} address"
    if not address.is_global:
        return "an address that is not globally routable"
    return None


def resolve(target: Target, allow_private: bool) -> list[str]:
    """Every address of the target's host, after checking each; raises
    :class:`TargetRefused` (``url_unresolvable``, ``url_host_not_allowed``)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(
            "url_unresolvable", f"the host {target.host!r} does not resolve: {error}"
        ) from None
    addresses: list[str] = []
    for *_, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope id is not part of it
        reason = refusal(ipaddress.ip_address(text), allow_private)
        if reason is not None:
            raise TargetRefused(
                "url_host_not_allowed",
                f"the host {target.host!r} resolves to {text}, {reason}",
            )
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise TargetRefused("url_unresolvable", f"the host {target.host!r} has no address")
    return addresses


_HINTS = {
    "invalid_url": "send an absolute http or https URL, like https://example.com/hooks/stoat",
    "url_scheme_not_allowed": "use an http:// or https:// URL",
    "url_unresolvable": "check the host name; it must resolve when the webhook is created",
    "url_host_not_allowed": (
        "use a public address; private, loopback and link-local targets need "
        "STOAT_WEBHOOKS_ALLOW_PRIVATE=true on the server"
    ),
}


def check_url(url: str, allow_private: bool) -> ErrorItem | None:
    """Why ``url`` cannot be a webhook target now, as an error on the ``url`` field."""
    try:
        resolve(parse_target(url), allow_private)
    except TargetRefused as refused:
        return error_item(refused.code, ("url",), str(refused), _HINTS[refused.code])
    return None
