from django.shortcuts import render

from shop.models import Category, Service


def home(request):
    categories = Category.objects.filter(is_active=True)
    featured = Service.objects.active().select_related("category").prefetch_related("plans")[:6]
    return render(request, "shop/home.html", {"categories": categories, "featured": featured})
