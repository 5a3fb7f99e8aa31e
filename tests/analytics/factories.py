import factory
from django.utils import timezone

from analytics.models import PageView


class PageViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PageView

    viewed_at = factory.LazyFunction(timezone.now)
    path = "/services/"
    route = "shop:service_list"
    status_code = 200
    response_ms = 50
    browser = "Firefox"
    browser_version = "126"
    device = PageView.Device.DESKTOP
    ip_prefix = "203.0.113.0"
