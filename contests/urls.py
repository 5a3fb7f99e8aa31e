from django.urls import path

from contests import views

app_name = "contests"

urlpatterns = [
    path("", views.contest_list, name="list"),
    path("confirm/<str:token>/", views.entry_confirm, name="confirm"),
    path("<slug:slug>/", views.contest_detail, name="detail"),
]
