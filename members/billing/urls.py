from django.urls import path

from members.billing import views

app_name = "billing"
urlpatterns = [
    path("", views.index, name="index"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("org/<slug:slug>/", views.dashboard, name="dashboard"),
    path("org/<slug:slug>/portal/", views.portal, name="portal"),
    path("org/<slug:slug>/invoices/<str:number>/", views.invoice_detail, name="invoice"),
    path("org/<slug:slug>/invoices/<str:number>/details/", views.invoice_details, name="invoice_details"),
    path("org/<slug:slug>/invoices/<str:number>/checkout/", views.invoice_checkout, name="invoice_checkout"),
    path("org/<slug:slug>/invoices/<str:number>/send/", views.invoice_send, name="invoice_send"),
]
