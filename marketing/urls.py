from django.urls import path

from marketing import views

app_name = "marketing"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
