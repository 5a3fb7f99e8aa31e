from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("consultation/", views.consultation_create, name="consultation"),
    path("consultation/thanks/", views.consultation_done, name="consultation_done"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("services/<slug:slug>/review/", views.review_create, name="review_create"),
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add_view, name="cart_add"),
    path("cart/update/", views.cart_update_view, name="cart_update"),
    path("cart/remove/", views.cart_remove_view, name="cart_remove"),
    path("account/saved-searches/", views.saved_search_list, name="saved_search_list"),
    path("account/saved-searches/new/", views.saved_search_create, name="saved_search_create"),
    path("account/saved-searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
]
