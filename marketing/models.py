from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

# --- Ad tags and affiliate partners (P07, P29) -------------------------------------------
# Kept together in this section; campaigns and preferences have sections of their own.

#: What a partner's code may look like in ``?aff=`` / ``?ref=`` links and in the cookie.
AFFILIATE_CODE_PATTERN = r"[A-Za-z0-9_-]{1,40}"


class AdTag(models.Model):
    """An advertising broadcaster's snippet, rendered only with advertising-cookie consent,
    never under Global Privacy Control and never for a restricted customer (P07, P09, P23).

    Every ``<script>`` in the snippet is given the response's CSP nonce when it is rendered;
    inline event handlers (``onload="..."``) and inline styles stay blocked by the policy.
    """

    class Placement(models.TextChoices):
        HEAD = "head", "End of <head>"
        BODY_END = "body_end", "End of <body>"

    name = models.CharField(max_length=100)
    snippet = models.TextField(
        help_text="HTML and <script> tags as the broadcaster supplies them. Each <script> gets the page's "
        "security nonce; inline event handlers and inline styles are blocked by the Content Security Policy."
    )
    placement = models.CharField(max_length=10, choices=Placement.choices, default=Placement.BODY_END)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["placement", "name", "pk"]
        verbose_name = "ad tag"

    def __str__(self):
        return self.name


class AffiliatePartner(models.Model):
    """A site that sends us customers through ``?aff=<code>`` links and is paid a share of
    what they buy (P29)."""

    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(f"^{AFFILIATE_CODE_PATTERN}$", "Letters, digits, - and _ only.")],
        help_text="As it appears in the partner's links: https://…/?aff=<code>.",
    )
    name = models.CharField(max_length=150)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Share of the order total, e.g. 0.1000 for 10%.",
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "affiliate partner"

    def __str__(self):
        return f"{self.name} ({self.code})"


class AffiliateReferral(models.Model):
    """An order placed by a visitor a partner sent, with the commission it earns (P29).

    Recorded when the order is placed, only with affiliate-cookie consent; the commission
    is due once the order is paid (``marketing.selectors.affiliates.commissions_by_month``).
    """

    order = models.ForeignKey("shop.Order", on_delete=models.CASCADE, related_name="affiliate_referrals")
    partner = models.ForeignKey(AffiliatePartner, on_delete=models.PROTECT, related_name="referrals")
    #: The code as the link carried it.
    code = models.CharField(max_length=40)
    #: The partner's rate when the order was placed: a later change does not rewrite it.
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    commission = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order"], name="marketing_one_referral_per_order")]
        verbose_name = "affiliate referral"

    def __str__(self):
        return f"{self.code}: {self.commission}"


# --- end of ad tags and affiliate partners ---------------------------------------------------
