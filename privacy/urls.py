from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="cookies"),
    path("cookies/choice/", views.cookie_choice, name="cookie_choice"),
    path("policy/reviewed/", views.policy_acknowledge_view, name="policy_acknowledge"),
    path("", views.policy_detail, name="policy"),
    path("contact/", views.contact_detail, name="contact"),
]
