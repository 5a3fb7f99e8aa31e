from django.urls import path

from shop import views, views_subscriptions

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
    path("cart/restored/", views.cart_restored_view, name="cart_restored"),
    path("account/saved-searches/", views.saved_search_list, name="saved_search_list"),
    path("account/saved-searches/new/", views.saved_search_create, name="saved_search_create"),
    path("account/saved-searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/vat/", views.checkout_vat, name="checkout_vat"),
    path("checkout/<str:number>/demo/", views.checkout_demo, name="checkout_demo"),
    path("checkout/<str:number>/success/", views.checkout_success, name="checkout_success"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/lookup/", views.order_lookup, name="order_lookup"),
    path("orders/lookup/<str:token>/", views.order_link, name="order_link"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("account/services/", views.subscription_list, name="subscription_list"),
    path("account/services/<int:pk>/cancel/", views.subscription_cancel, name="subscription_cancel"),
    path("account/services/billing/", views_subscriptions.billing_portal, name="billing_portal"),
    path("account/services/<int:pk>/change/", views_subscriptions.subscription_change, name="subscription_change"),
    path("account/services/<int:pk>/end-now/", views_subscriptions.subscription_cancel_now, name="subscription_end"),
    path("account/services/<int:pk>/resume/", views_subscriptions.subscription_resume, name="subscription_resume"),
    path("account/services/<int:pk>/keep-plan/", views_subscriptions.subscription_keep_plan, name="subscription_keep"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
]
