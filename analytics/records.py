"""One page view as the middleware sees it, made compact and stripped of what we do not keep (P01).

The middleware builds a record with ``record_build`` and pushes its JSON to the buffer; the
flush reads it back with ``record_read``. Parsing the user agent is left to the flush (it
costs most of a millisecond for a browser not seen before), so the request pays only for
what must be decided while it is there: the page, the truncated IP, the referrer's domain
and whether the person may be linked.
"""

from __future__ import annotations

import ipaddress
import json
import re
from urllib.parse import urlsplit

from ua_parser import parse as ua_parse

#: What we never count as a visit, decided cheaply in the request: crawlers that say so,
#: command-line clients and headless browsers. ua-parser's "Spider" device catches the rest
#: at the flush.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|headless|python-|curl/|wget/|httpclient|go-http|java/|okhttp|"
    r"facebookexternalhit|lighthouse|pingdom|uptime|monitor",
    re.IGNORECASE,
)
#: URL keyword arguments that name a public page (a service's slug). Any other argument
#: (a token, an order number, an id) is replaced by its name, so no secret is stored.
PUBLIC_KWARGS = frozenset({"slug"})
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
MAX_USER_AGENT = 400


def looks_like_bot(user_agent: str) -> bool:
    """Whether the user agent is a crawler, a script or a headless browser (or says nothing)."""
    return not user_agent or BOT_PATTERN.search(user_agent) is not None


def truncate_ip(address: str) -> str | None:
    """The address with its host part zeroed: the last octet of IPv4, the last 80 bits of
    IPv6 (what remains is the network, never the machine). None for anything unparsable.
    An IPv4-mapped IPv6 address is truncated as the IPv4 address it carries."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except (ValueError, AttributeError):
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def referrer_domain(referrer: str, own_host: str) -> str:
    """The referring site's host name, lower-cased; "" for none, for our own pages, or for
    anything that is not an http(s) URL. Never the path or the query."""
    if not referrer:
        return ""
    try:
        parts = urlsplit(referrer)
        host = (parts.hostname or "").lower()
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    own = own_host.split(":", 1)[0].lower()
    return "" if host == own else host[:253]


def page_of(request) -> tuple[str, str]:
    """(path, route name) of the page: the path without the query string when the route's
    arguments are public (a slug), else the route's pattern with the argument names."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return request.path[:200], ""
    route = (match.view_name or "")[:100]
    if not match.args and set(match.kwargs) <= PUBLIC_KWARGS:
        return request.path[:200], route
    pattern = match.route or ""
    if pattern.startswith("^"):
        return f"({route or 'unnamed page'})"[:200], route
    return ("/" + _CONVERTER.sub(r"<\1>", pattern).lstrip("/"))[:200], route


def record_build(
    *,
    viewed_at: float,
    path: str,
    route: str,
    status: int,
    response_ms: int,
    user_agent: str,
    referrer: str,
    ip: str | None,
    user_id: int | None,
) -> str:
    """The compact record the buffer holds (JSON, about 200 bytes)."""
    return json.dumps(
        [round(viewed_at, 3), path, route, status, response_ms, user_agent[:MAX_USER_AGENT], referrer, ip, user_id],
        separators=(",", ":"),
    )


def record_read(raw: str | bytes) -> dict | None:
    """The fields of a record, or None for a record this version cannot read."""
    try:
        viewed_at, path, route, status, response_ms, user_agent, referrer, ip, user_id = json.loads(raw)
        return {
            "viewed_at": float(viewed_at),
            "path": str(path)[:200],
            "route": str(route)[:100],
            "status_code": int(status),
            "response_ms": max(0, int(response_ms)),
            "user_agent": str(user_agent),
            "referrer_domain": str(referrer)[:253],
            "ip_prefix": truncate_ip(ip) if ip else None,
            "user_id": int(user_id) if user_id is not None else None,
        }
    except (ValueError, TypeError):
        return None


def browser_of(user_agent: str) -> dict | None:
    """Browser family, major version and device class; None for a crawler ("Spider")."""
    result = ua_parse(user_agent)
    device_family = result.device.family if result.device else ""
    if device_family == "Spider":
        return None
    family = result.user_agent.family if result.user_agent else "Other"
    major = (result.user_agent.major or "") if result.user_agent else ""
    os_family = result.os.family if result.os else ""
    lowered = user_agent.lower()
    if device_family == "iPad" or "tablet" in lowered or (os_family == "Android" and "mobile" not in lowered):
        device = "tablet"
    elif os_family in ("iOS", "Android", "Windows Phone") or "mobile" in lowered:
        device = "mobile"
    elif os_family in ("Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora"):
        device = "desktop"
    else:
        device = "other"
    return {"browser": family[:50], "browser_version": major[:10], "device": device}
