"""Least-privilege staff groups (P15): each role gets the permissions its work needs, no more.

Created by a data migration (accounts 0004) and kept complete by a post_migrate receiver,
which adds the permissions named here as their models appear: marketing's models join the
Marketing group on the first ``migrate`` after they are added, without a new migration.
Permissions staff add to a group by hand are left alone; none is ever removed here.
Superusers are outside the groups; nobody needs to be one for daily work.
"""

ALL = ("view", "add", "change", "delete")
READ = ("view",)

#: group name -> [(app label, model name or "*" for every model of the app, actions)], and
#: the app's own permissions by "app_label.codename".
STAFF_GROUPS: dict[str, dict] = {
    "Catalogue": {
        "models": [
            ("shop", "category", ALL),
            ("shop", "service", ALL),
            ("shop", "plan", ALL),
            ("shop", "review", ("view", "change")),
        ],
        "extra": [],
    },
    "Orders": {
        "models": [
            ("shop", "order", ("view", "change")),
            ("shop", "orderline", READ),
            ("shop", "orderevent", READ),
            ("shop", "subscription", ("view", "change")),
            ("shop", "invoice", READ),
            ("shop", "consultationrequest", ("view", "add", "change")),
            ("accounts", "user", READ),
        ],
        "extra": [],
    },
    "Privacy requests": {
        "models": [
            ("privacy", "subjectrequest", ("view", "add", "change")),
            ("privacy", "subjectrequestevent", READ),
            ("privacy", "restriction", ("view", "add", "change")),
            ("privacy", "processorstep", ("view", "change")),
            ("privacy", "disclosure", ("view", "add")),
            ("privacy", "consentevent", READ),
            ("privacy", "auditevent", READ),
            ("privacy", "dataexport", READ),
            ("accounts", "user", READ),
            ("accounts", "profile", READ),
            ("accounts", "address", READ),
            ("shop", "order", READ),
        ],
        "extra": ["privacy.handle_request", "privacy.unmask_personal_data"],
    },
    "Marketing": {
        "models": [
            ("marketing", "*", ("view", "add", "change")),
            ("privacy", "consentevent", READ),
            ("shop", "service", READ),
            ("shop", "plan", READ),
        ],
        "extra": [],
    },
}


def staff_groups_sync(*, group_model, permission_model, content_type_model, using="default") -> dict[str, int]:
    """Create the groups and give each the permissions above that exist now; returns the
    permissions each group has afterwards. Safe to run any number of times."""
    counts = {}
    for name, spec in STAFF_GROUPS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=name)
        wanted = permission_model.objects.using(using).none()
        for app_label, model, actions in spec["models"]:
            types = content_type_model.objects.using(using).filter(app_label=app_label)
            if model != "*":
                types = types.filter(model=model)
            codenames = [f"{action}_{ct.model}" for ct in types for action in actions]
            wanted |= permission_model.objects.using(using).filter(content_type__in=types, codename__in=codenames)
        for permission in spec["extra"]:
            app_label, codename = permission.split(".")
            wanted |= permission_model.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*wanted.distinct())
        counts[name] = group.permissions.count()
    return counts


def on_post_migrate_sync_staff_groups(sender, app_config, using="default", apps=None, **kwargs):
    """After each app's permissions are made, the groups get the ones named for them."""
    if apps is None or app_config.label not in {"accounts", "shop", "privacy", "marketing"}:
        return
    try:
        models = [apps.get_model(*label.split(".")) for label in ("auth.Group", "auth.Permission")]
        content_type = apps.get_model("contenttypes", "ContentType")
    except LookupError:
        return
    staff_groups_sync(group_model=models[0], permission_model=models[1], content_type_model=content_type, using=using)
