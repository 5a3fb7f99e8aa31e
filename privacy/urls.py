from django.urls import path

from privacy import export_views, request_views, views

app_name = "privacy"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="cookies"),
    path("cookies/choice/", views.cookie_choice, name="cookie_choice"),
    path("policy/reviewed/", views.policy_acknowledge_view, name="policy_acknowledge"),
    path("", views.policy_detail, name="policy"),
    path("contact/", views.contact_detail, name="contact"),
    # Exercising a right without an account (P25), confirmed by an emailed link.
    path("request/", request_views.request_create, name="request"),
    path("request/verify/<str:token>/", request_views.request_verify, name="request_verify"),
    # A prepared copy of one's data (P19): the signed-in owner's download, then the emailed link.
    path("download/<uuid:token>/", export_views.export_download_view, name="export_download"),
    path("download/<str:signed>/", export_views.export_download_link, name="export_download_link"),
]
