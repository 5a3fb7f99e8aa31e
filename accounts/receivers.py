"""Receivers for signals sent by allauth and Django's auth."""

from accounts.services import profile_get_or_create, user_session_forget, user_sessions_end


def on_user_signed_up_create_profile(sender, request, user, **kwargs):
    """Every new customer starts with an (empty) profile, so account pages can rely on one."""
    profile_get_or_create(user=user)


def on_user_logged_out_forget_device(sender, request, user, **kwargs):
    """A signed-out session keeps no record of the device's IP address and browser (SE-02)."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        user_session_forget(session_key=session.session_key)


def on_user_saved_end_sessions_when_disabled(sender, instance, created, update_fields=None, **kwargs):
    """A disabled account keeps no live session (SE-04): Django already refuses an inactive
    user's session, and this removes the sessions and device records too."""
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    user_sessions_end(user=instance)


def on_post_migrate_sync_site(sender, using="default", **kwargs):
    """The django.contrib.sites row names the public address (SITE_URL) and the company,
    so anything that reads it (allauth outside a request, the admin's "view on site")
    agrees with the links in our emails. Runs after every migrate; writes one row."""
    from django.apps import apps

    from accounts.services import site_sync

    if apps.is_installed("django.contrib.sites"):
        site_sync(using=using)
