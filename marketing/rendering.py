"""Campaign emails: staff-written templates rendered for one person, with the unsubscribe
headers of RFC 8058 on every message (OPT-01).

Staff write the subject and bodies as Django templates. They are compiled by an engine of
their own that loads nothing from disk and no tag library, and rendered with a context that
holds the person's first name, their unsubscribe link and the site's address, nothing else, so a template
can neither read other data nor pull in other templates.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.defaulttags import DebugNode, LoadNode
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.urls import reverse
from django.utils.html import escape

from marketing.conf import settings as marketing_settings
from marketing.tokens import unsubscribe_token

_ENGINE = Engine(dirs=[], app_dirs=False, libraries={}, loaders=[], autoescape=True)
#: Tags that would reach beyond the message: other templates, the whole context, tag libraries.
FORBIDDEN_NODES = {ExtendsNode: "extends", IncludeNode: "include", DebugNode: "debug", LoadNode: "load"}
ONE_CLICK = "List-Unsubscribe=One-Click"
MARK_SUBJECT, MARK_URL, MARK_BODY, MARK_TOKEN = (
    f"kg-campaign-{name}-7c1e" for name in ("subject", "url", "body", "token")
)


def _fill(frame: str, values: dict[str, str]) -> str:
    # One pass, so a value that happens to contain a marker is never filled in again.
    return re.sub("|".join(values), lambda match: values[match.group(0)], frame)


def compile_template(source: str) -> Template:
    """A staff template compiled by the campaign engine; raises TemplateSyntaxError for a
    mistake or a forbidden tag."""
    template = _ENGINE.from_string(source)
    for node_class, name in FORBIDDEN_NODES.items():
        if template.nodelist.get_nodes_by_type(node_class):
            raise TemplateSyntaxError(f"The {{% {name} %}} tag is not available in campaign emails.")
    return template


def first_name(full_name: str) -> str:
    parts = (full_name or "").split()
    return parts[0] if parts else ""


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("marketing:unsubscribe", args=[token])


def unsubscribe_headers(token: str, url: str | None = None) -> dict[str, str]:
    """RFC 8058 one-click headers, with a mailto fallback for clients that only email."""
    mailto = f"mailto:{marketing_settings.unsubscribe_mailto}?subject={quote('unsubscribe ' + token)}"
    return {"List-Unsubscribe": f"<{url or unsubscribe_url(token)}>, <{mailto}>", "List-Unsubscribe-Post": ONE_CLICK}


@dataclasses.dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    full_name: str = ""


class CampaignMessages:
    """Builds one campaign's messages; the templates are compiled once, rendered per person."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.subject = compile_template(campaign.subject)
        self.html = compile_template(campaign.body_html)
        self.text = compile_template(campaign.body_text)
        # The frame (header, footer, the unsubscribe sentence) is the same for everyone: it is
        # rendered once per run with markers, and each message puts its three values in.
        frame = {
            "SITE_URL": settings.SITE_URL,
            "COMPANY_NAME": settings.COMPANY_NAME,
            "COMPANY_EMAIL": settings.COMPANY_EMAIL,
            "COMPANY_PHONE": settings.COMPANY_PHONE,
            "subject": MARK_SUBJECT,
            "unsubscribe_url": MARK_URL,
            "body": MARK_BODY,
        }
        self.layout_html = get_template("marketing/email/campaign.html").render(frame)
        self.layout_text = get_template("marketing/email/campaign.txt").render(frame)
        self.url_prefix = settings.SITE_URL + reverse("marketing:unsubscribe", args=[MARK_TOKEN]).split(MARK_TOKEN)[0]

    def render(self, recipient: Recipient) -> dict[str, str]:
        """{"subject", "text", "html", "unsubscribe_url", "token"} for one person."""
        token = unsubscribe_token(user_id=recipient.user_id, campaign_id=self.campaign.pk)
        url = f"{self.url_prefix}{token}/"
        personal = {
            "first_name": first_name(recipient.full_name),
            "unsubscribe_url": url,
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(self.subject.render(Context(personal, autoescape=False)).split())
        body_html = self.html.render(Context(personal))
        body_text = self.text.render(Context(personal, autoescape=False))
        # The token is URL-safe (letters, digits, "-_:"), so the link needs no escaping in HTML.
        html = _fill(self.layout_html, {MARK_SUBJECT: escape(subject), MARK_URL: url, MARK_BODY: body_html})
        text = _fill(self.layout_text, {MARK_SUBJECT: subject, MARK_URL: url, MARK_BODY: body_text})
        return {"subject": subject, "html": html, "text": text, "unsubscribe_url": url, "token": token}

    def message(self, recipient: Recipient, *, connection=None, to: str | None = None) -> EmailMultiAlternatives:
        rendered = self.render(recipient)
        message = EmailMultiAlternatives(
            subject=rendered["subject"],
            body=rendered["text"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to or recipient.email],
            headers=unsubscribe_headers(rendered["token"], rendered["unsubscribe_url"]),
            connection=connection,
        )
        message.attach_alternative(rendered["html"], "text/html")
        # For the provider's own statistics; anymail passes tags to the ESPs that support them.
        message.tags = [f"campaign-{self.campaign.slug}"]
        return message
