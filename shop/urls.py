from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("consultation/", views.consultation_create, name="consultation"),
    path("consultation/thanks/", views.consultation_done, name="consultation_done"),
]
