from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("policy/reviewed/", views.policy_acknowledge_view, name="policy_acknowledge"),
]
