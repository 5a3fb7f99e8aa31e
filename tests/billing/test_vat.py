import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from billing import vat
from billing.models import VatRate

RATE = Decimal("0.20")
pennies = st.integers(min_value=0, max_value=10**9).map(lambda p: Decimal(p) / 100)
rates = st.sampled_from([Decimal("0"), Decimal("0.05"), Decimal("0.175"), Decimal("0.20")])


def test_vat_is_computed_once_on_the_net_total_and_rounded_down_to_the_penny():
    assert vat.vat_for(Decimal("49.99"), rate=RATE) == Decimal("9.99")  # 9.998 → 9.99, never 10.00
    assert vat.vat_for(Decimal("100.00"), rate=RATE) == Decimal("20.00")
    # Three lines of £0.04: 20% per line would round to 0.01 each; once on £0.12 it is 0.02.
    sums = vat.figures(nets=[Decimal("0.04")] * 3, decision=vat.VatDecision(RATE, vat.Treatment.STANDARD))
    assert (sums.net, sums.vat, sums.gross) == (Decimal("0.12"), Decimal("0.02"), Decimal("0.14"))


def test_vat_refuses_floats_and_rates_outside_zero_to_one():
    with pytest.raises(TypeError):
        vat.vat_for(10.0, rate=RATE)
    with pytest.raises(ValueError):
        vat.vat_for(Decimal("10"), rate=Decimal("20"))


@given(net=pennies, rate=rates)
def test_vat_is_never_negative_never_more_than_the_exact_amount_and_whole_pennies(net, rate):
    due = vat.vat_for(net, rate=rate)
    assert due >= 0
    assert due <= net * rate < due + Decimal("0.01")
    assert due == due.quantize(Decimal("0.01"))


@given(nets=st.lists(pennies, min_size=1, max_size=12), rate=rates)
def test_line_shares_add_up_to_the_invoice_vat_and_net_plus_vat_is_gross_to_the_penny(nets, rate):
    sums = vat.figures(nets=nets, decision=vat.VatDecision(rate, vat.Treatment.STANDARD))
    assert sum(line.vat for line in sums.lines) == sums.vat
    assert sum(line.net for line in sums.lines) == sums.net == sum(nets)
    assert sum(line.gross for line in sums.lines) == sums.gross == sums.net + sums.vat
    assert all(line.vat >= 0 for line in sums.lines)


@given(net=pennies, rate=rates)
def test_a_full_credit_undoes_the_vat_exactly(net, rate):
    assert vat.vat_for(-net, rate=rate) == -vat.vat_for(net, rate=rate)


@pytest.mark.django_db
def test_a_change_of_rate_applies_from_its_date_only():
    VatRate.objects.create(rate=Decimal("0.2250"), starts_on=datetime.date(2031, 4, 1))

    assert vat.rate_on(datetime.date(2031, 3, 31)) == Decimal("0.2000")
    assert vat.rate_on(datetime.date(2031, 4, 1)) == Decimal("0.2250")
    assert vat.rate_on(datetime.date(2011, 1, 4)) == Decimal("0.2000")
    with pytest.raises(LookupError):
        vat.rate_on(datetime.date(2010, 1, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "number", "rate", "treatment"),
    [
        ("GB", "", "0.2000", "standard"),  # UK consumer
        ("GB", "GB980780684", "0.2000", "standard"),  # UK business: UK VAT all the same
        ("FR", "FR40303265045", "0", "reverse_charge"),  # EU business with a valid number
        ("FR", "", "0.2000", "standard"),  # consumer abroad
        ("IE", "", "0.2000", "standard"),
        ("CH", "CHE-107.787.577 IVA", "0", "reverse_charge"),  # outside the EU, checked by stdnum too
    ],
)
def test_place_of_supply_for_general_services(country, number, rate, treatment):
    decision = vat.vat_decision(country=country, vat_number=number)
    assert (decision.rate, decision.treatment) == (Decimal(rate), treatment)
    assert bool(decision.note) == (treatment == "reverse_charge")


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [
        ("gb 980 7806 84", "GB", "GB980780684"),
        ("980780684", "GB", "GB980780684"),
        ("fr 40 303 265 045", "FR", "FR40303265045"),
        ("40303265045", "FR", "FR40303265045"),
        ("", "FR", ""),
    ],
)
def test_vat_numbers_are_stored_normalised(number, country, expected):
    assert vat.vat_number_clean(number, country=country) == expected


@pytest.mark.parametrize(
    ("number", "country", "message"),
    [
        ("GB980780685", "GB", "check digits do not match"),
        ("FR40303265046", "FR", "not a valid VAT number"),
        ("GB98078068", "GB", "wrong number of characters"),
        ("FR40303265045", "DE", "not the country of your billing address"),
        ("123456", "US", "cannot check tax numbers from this country"),
    ],
)
def test_a_bad_vat_number_is_refused_with_a_reason(number, country, message):
    with pytest.raises(ValidationError) as error:
        vat.vat_number_clean(number, country=country)
    assert message in error.value.messages[0]
