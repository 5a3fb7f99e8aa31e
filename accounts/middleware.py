from django.utils.cache import add_never_cache_headers


class AllauthNoStoreMiddleware:
    """Sign-in and account-security pages served by allauth are never stored by a browser or
    proxy (FE-07); most of allauth's views do not say so themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and getattr(match.func, "__module__", "").startswith("allauth."):
            add_never_cache_headers(response)
        return response
