from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="cookies"),
    path("cookies/choice/", views.cookie_choice, name="cookie_choice"),
]
