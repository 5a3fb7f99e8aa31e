from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("<str:number>/", views.document_detail, name="document_detail"),
    path("<str:number>/pdf/", views.document_pdf, name="document_pdf"),
]
