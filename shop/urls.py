from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<str:number>/demo/", views.checkout_demo, name="checkout_demo"),
    path("checkout/<str:number>/success/", views.checkout_success, name="checkout_success"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/lookup/", views.order_lookup, name="order_lookup"),
    path("orders/lookup/<str:token>/", views.order_link, name="order_link"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("account/services/", views.subscription_list, name="subscription_list"),
    path("account/services/<int:pk>/cancel/", views.subscription_cancel, name="subscription_cancel"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
]
