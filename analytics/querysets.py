from django.db import models


class PageViewQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(viewed_at__gte=start, viewed_at__lt=end)

    def of_user(self, user):
        return self.filter(user=user)
