from django.urls import path

from accounts import views

app_name = "accounts"

# The marketing preference centre (accounts:preferences and its pages) is marketing's; the
# project's urls add it to this namespace, since accounts does not import marketing.
urlpatterns = [
    path("", views.account_overview, name="overview"),
    path("profile/", views.profile_edit, name="profile"),
    path("addresses/", views.address_list, name="address_list"),
    path("addresses/add/", views.address_add, name="address_add"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:pk>/default/", views.address_make_default, name="address_make_default"),
    path("your-data/", views.your_data, name="your_data"),
    path("your-data/download/", views.your_data_download, name="your_data_download"),
    path("your-data/object/", views.your_data_object, name="your_data_object"),
    path("your-data/restrict/", views.your_data_restrict, name="your_data_restrict"),
    path("your-data/correct/", views.your_data_correct, name="your_data_correct"),
    path("your-data/erase/", views.your_data_erase, name="your_data_erase"),
]
