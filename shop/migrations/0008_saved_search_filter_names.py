"""Saved searches keep the catalogue's own filter names.

Searches saved as `billing=month` (the plan's field name) were ignored by the catalogue,
which filters on `kind`; `sort=relevance` is now the default "Best match". Rewrites the
stored queries in the order the catalogue writes them; nothing else changes.
"""

from urllib.parse import parse_qsl, urlencode

from django.db import migrations

ORDER = ("q", "category", "kind", "min_price", "max_price", "sort")
KINDS = {"one_off", "subscription", "month", "year"}


def normalise(query):
    params = {}
    for name, value in parse_qsl(query or "", keep_blank_values=False):
        if name == "billing":
            name = "kind"
        if name == "kind" and value not in KINDS:
            continue
        if name == "sort" and value == "relevance":
            continue
        if name in ORDER:
            params[name] = value
    return urlencode([(name, params[name]) for name in ORDER if name in params])


def forwards(apps, schema_editor):
    SavedSearch = apps.get_model("shop", "SavedSearch")
    for saved in SavedSearch.objects.filter(query__regex=r"(^|&)(billing|sort)="):
        query = normalise(saved.query)
        if query and query != saved.query:
            SavedSearch.objects.filter(pk=saved.pk).update(query=query)


class Migration(migrations.Migration):
    dependencies = [("shop", "0007_plan_changes_and_promotions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
