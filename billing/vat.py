"""UK VAT: the one place that knows the rates, the place-of-supply rule and the arithmetic.

Everything is Decimal; nothing here touches a float.

- Rates are data (billing.VatRate, one row per change with the date it starts), so a change
  of rate applies to supplies from its date only: `rate_on(day)`.
- `vat_for(net, rate=...)` is the VAT of one invoice: computed once on the net total and
  rounded DOWN to a whole penny, which HMRC VAT Notice 700 (section 17.5) allows.
- `vat_decision(country=..., vat_number=...)` applies the place-of-supply rule for general
  services (VAT Notice 741A): a UK customer pays UK VAT; a business outside the UK that
  gives a valid VAT or tax number is outside the scope of UK VAT and accounts for any VAT
  itself (reverse charge); a consumer outside the UK pays UK VAT.
- `vat_number_clean(...)` checks a number's format and check digits with python-stdnum and
  returns it normalised (country prefix, no spaces), or raises ValidationError.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as _Bad
from stdnum.gb import vat as gb_vat
from stdnum.util import get_cc_module

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
HOME_COUNTRY = "GB"

#: Printed on every invoice and credit note of a reverse-charge supply (VAT Notice 741A, 16.3).
REVERSE_CHARGE_NOTE = "Reverse charge: outside the scope of UK VAT. Customer to account for any VAT due."


class Treatment(models.TextChoices):
    STANDARD = "standard", "Standard rate"
    REVERSE_CHARGE = "reverse_charge", "Reverse charge (outside the scope of UK VAT)"


@dataclasses.dataclass(frozen=True)
class VatDecision:
    """Which VAT a sale bears: the rate and why."""

    rate: Decimal
    treatment: str

    @property
    def note(self) -> str:
        return REVERSE_CHARGE_NOTE if self.treatment == Treatment.REVERSE_CHARGE else ""

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


@dataclasses.dataclass(frozen=True)
class LineFigures:
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclasses.dataclass(frozen=True)
class Figures:
    """Net, VAT and gross of a whole sale and of each line; the lines add up to the totals."""

    decision: VatDecision
    lines: tuple[LineFigures, ...]
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def rate(self) -> Decimal:
        return self.decision.rate

    @property
    def treatment(self) -> str:
        return self.decision.treatment


def money(value) -> Decimal:
    """A Decimal amount of pounds with two places; refuses floats (they cannot hold pence)."""
    if isinstance(value, float):
        raise TypeError("money is Decimal, never float")
    return Decimal(value).quantize(PENNY)


def vat_for(net: Decimal, *, rate: Decimal) -> Decimal:
    """The VAT on a net total at `rate` (0.20 for 20%), rounded down to a whole penny.

    Computed once per invoice on its net total (not per line). A negative net (a credit
    note) gives the negative of the VAT on its size, so a full credit undoes the invoice
    exactly. Raises TypeError for a float and ValueError for a rate outside 0..1.
    """
    if isinstance(net, float) or isinstance(rate, float):
        raise TypeError("VAT is computed on Decimal, never float")
    net, rate = Decimal(net), Decimal(rate)
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError(f"a VAT rate is a fraction between 0 and 1, not {rate}")
    # ROUND_DOWN truncates towards zero: down for a sale, and the mirror image for a credit.
    return (net * rate).quantize(PENNY, rounding=ROUND_DOWN)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share `total` (whole pennies) between lines in proportion to `weights`, so that the
    shares add up to `total` exactly (largest remainder). Used to show each line's part of
    an invoice's VAT; the invoice's VAT itself is `vat_for` on the net total."""
    weights = [Decimal(w) for w in weights]
    whole = sum(weights, Decimal(0))
    if not weights:
        return []
    if whole == 0:
        return [ZERO for _ in weights[:-1]] + [money(total)]
    pennies = int((Decimal(total) / PENNY).to_integral_value())
    exact = [Decimal(pennies) * w / whole for w in weights]
    shares = [int(x.to_integral_value(rounding=ROUND_DOWN)) for x in exact]
    left = pennies - sum(shares)
    # Pennies left over go to the lines that lost most to rounding (ties: the earlier line).
    order = sorted(range(len(weights)), key=lambda i: (-(abs(exact[i] - shares[i])), i))
    step = 1 if left >= 0 else -1
    for i in order[: abs(left)]:
        shares[i] += step
    return [(Decimal(s) * PENNY).quantize(PENNY) for s in shares]


def figures(*, nets: Sequence[Decimal], decision: VatDecision) -> Figures:
    """Net, VAT and gross for a sale whose lines have these net amounts."""
    nets = [money(n) for n in nets]
    net = sum(nets, ZERO)
    vat = vat_for(net, rate=decision.rate)
    shares = allocate(vat, nets)
    return Figures(
        decision=decision,
        lines=tuple(LineFigures(net=n, vat=v) for n, v in zip(nets, shares, strict=True)),
        net=net,
        vat=vat,
    )


# --- rates ------------------------------------------------------------------------------
def rate_on(day: datetime.date | None = None) -> Decimal:
    """The UK standard rate in force on `day` (today by default), from billing.VatRate.

    Raises LookupError when no rate starts on or before that day (the data migration
    loads the 20% rate in force since 4 January 2011).
    """
    from billing.models import VatRate

    if day is None:
        from django.utils import timezone

        day = timezone.localdate()
    if isinstance(day, datetime.datetime):
        day = day.date()
    rate = VatRate.objects.filter(starts_on__lte=day).order_by("-starts_on").values_list("rate", flat=True).first()
    if rate is None:
        raise LookupError(f"No VAT rate is recorded for {day:%Y-%m-%d}.")
    return rate


# --- VAT numbers ------------------------------------------------------------------------
_WHY = {
    InvalidChecksum: "its check digits do not match",
    InvalidLength: "it has the wrong number of characters",
    InvalidFormat: "it is not in the format of a VAT number",
    InvalidComponent: "part of it is not valid",
}


def _module_for(country: str):
    """The stdnum module that checks VAT/tax numbers of `country`, or None."""
    if country == HOME_COUNTRY:
        return gb_vat
    if country.lower() in eu_vat.MEMBER_STATES or country == "GR":
        return eu_vat
    return get_cc_module(country.lower(), "vat")


def vat_number_clean(number: str, *, country: str) -> str:
    """Check a customer's VAT or tax number against the billing country and return it
    normalised: upper case, no spaces or dots, with its country prefix for UK and EU
    numbers (GB123456789, FR40303265045, EL... for Greece).

    Raises ValidationError with a message for the customer when the number's format or check
    digits are wrong, when it belongs to another country than the billing address, or when
    we cannot check numbers of that country. An empty number is returned as "".
    """
    raw = (number or "").strip()
    if not raw:
        return ""
    country = (country or "").strip().upper()
    module = _module_for(country)
    if module is None:
        raise ValidationError(
            "We cannot check tax numbers from this country, so we cannot sell to you without UK VAT. "
            "Leave the VAT number empty to pay UK VAT.",
            code="vat_country_unsupported",
        )
    text = raw.upper()
    if module in (gb_vat, eu_vat):
        text = "".join(ch for ch in text if ch.isalnum())
        prefix = text[:2] if text[:2].isalpha() else ""
        expected = {"GB": ("GB", "XI"), "GR": ("EL",)}.get(country, (country,))
        if not prefix:
            text = expected[0] + text
        elif prefix not in expected:
            raise ValidationError(
                f"This VAT number starts with {prefix}, which is not the country of your billing address.",
                code="vat_country_mismatch",
            )
    try:
        if module is gb_vat:
            compact = text[:2] + gb_vat.validate(text[2:])
        else:
            compact = module.validate(text).upper()
    except _Bad as exc:
        why = next((reason for kind, reason in _WHY.items() if isinstance(exc, kind)), "it is not valid")
        raise ValidationError(
            f"This is not a valid VAT number: {why}. Check it on your VAT certificate.", code="vat_invalid"
        ) from None
    return compact


def vat_decision(*, country: str, vat_number: str = "", day: datetime.date | None = None) -> VatDecision:
    """The place-of-supply rule for general services (B2B and B2C), on `day`.

    A UK customer: the standard rate, with or without a VAT number. A customer outside the
    UK with a valid VAT/tax number (a business): 0%, reverse charge. A customer outside the
    UK without one (a consumer): the standard rate. Raises ValidationError for a number
    that does not check (see vat_number_clean).
    """
    country = (country or "").strip().upper()
    cleaned = vat_number_clean(vat_number, country=country) if vat_number else ""
    if country != HOME_COUNTRY and cleaned:
        return VatDecision(rate=Decimal("0"), treatment=Treatment.REVERSE_CHARGE)
    return VatDecision(rate=rate_on(day), treatment=Treatment.STANDARD)
