"""One rule for what an email address is, for every form and model of the site.

It lives in privacy because every app may import privacy and privacy imports none of
them: accounts (sign-up, sign-in, profile), shop (checkout, consultation, order look-up)
and privacy's own request form all use the same validator and the same form field.

What is accepted is what the standards allow for an address that mail can reach:
- the local part (before the last "@") is a dot-atom of RFC 5322 `atext`, widened by
  RFC 6531/6532 to any non-ASCII character (so ``zoë.ñandú``), or a quoted string; at most
  64 octets in UTF-8, no control characters or spaces outside quotes;
- the domain is a host name (internationalised names are checked in their IDNA form) or
  an address literal, as Django's EmailValidator checks domains;
- at most 254 octets in all (RFC 5321's path limit).

Django's own EmailValidator takes international domains but only ASCII local parts, so
``zoë.ñandú@example.com`` passed one form and failed another.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models

MESSAGE = "Enter a valid email address, like name@example.com."
MAX_LENGTH = 254
MAX_LOCAL_OCTETS = 64

# RFC 5322 atext, plus every non-ASCII character except controls and spaces (RFC 6532's
# UTF8-non-ascii); dots only between atoms.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]|[^\x00-\x7f\s\x80-\x9f\u2028\u2029]"
_DOT_ATOM = re.compile(rf"(?:{_ATEXT})+(?:\.(?:{_ATEXT})+)*")
# A quoted string: printable ASCII (and non-ASCII) except the quote and backslash, or a
# backslash-escaped printable character.
_QUOTED = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|[^\x00-\x7f\x80-\x9f]|\\[\x20-\x7e])*"')
_DOMAIN_CHECK = EmailValidator(message=MESSAGE, code="invalid")


def validate_email_address(value):
    """Raise ValidationError(code="invalid") unless `value` is an email address as described
    in this module's docstring."""
    if not isinstance(value, str) or "@" not in value or len(value.encode()) > MAX_LENGTH:
        raise ValidationError(MESSAGE, code="invalid", params={"value": value})
    local, domain = value.rsplit("@", 1)
    if (
        not local
        or len(local.encode()) > MAX_LOCAL_OCTETS
        or not (_DOT_ATOM.fullmatch(local) or _QUOTED.fullmatch(local))
    ):
        raise ValidationError(MESSAGE, code="invalid", params={"value": value})
    # The domain as Django checks it (host names, IDNA, address literals), behind an ASCII
    # local part that cannot fail.
    _DOMAIN_CHECK(f"a@{domain}")


class EmailAddressField(forms.EmailField):
    """The form field for an email address everywhere on the site.

    A text input with the email keyboard rather than ``type="email"``: browsers refuse to
    submit an ``<input type=email>`` holding a non-ASCII local part, whatever the server
    would accept.
    """

    default_validators = [validate_email_address]
    default_error_messages = {"invalid": MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("widget", email_widget())
        super().__init__(**kwargs)


def email_widget(attrs=None):
    return forms.TextInput(
        attrs={
            "inputmode": "email",
            "autocomplete": "email",
            "autocapitalize": "off",
            "spellcheck": "false",
            **(attrs or {}),
        }
    )


def use_email_address_rule(form):
    """Make every email field of an already built form (allauth's, say) follow this rule:
    its validators and widget are replaced, the rest of the field is left as it was."""
    for field in form.fields.values():
        if isinstance(field, forms.EmailField) and not isinstance(field, EmailAddressField):
            field.validators = [v for v in field.validators if not isinstance(v, EmailValidator)]
            field.validators.append(validate_email_address)
            field.error_messages["invalid"] = MESSAGE
            attrs = {k: v for k, v in field.widget.attrs.items() if k != "type"}
            field.widget = email_widget(attrs)
    return form


class EmailAddressModelField(models.EmailField):
    """A model's email address, validated (in ModelForms and the admin) by the same rule."""

    default_validators = [validate_email_address]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailAddressField, **kwargs})
