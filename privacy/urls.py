from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy_detail, name="policy"),
    path("contact/", views.contact_detail, name="contact"),
]
