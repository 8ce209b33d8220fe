from django.urls import path

from members.billing.views import sponsor, webhook

app_name = "billing"
urlpatterns = [
    path("", sponsor.index, name="index"),
    path("stripe/webhook/", webhook.stripe_webhook, name="stripe_webhook"),
    path("org/<slug:slug>/", sponsor.dashboard, name="dashboard"),
    path("org/<slug:slug>/portal/", sponsor.portal, name="portal"),
    path("org/<slug:slug>/invoices/<str:number>/", sponsor.invoice_detail, name="invoice"),
    path("org/<slug:slug>/invoices/<str:number>/invoice.pdf", sponsor.invoice_pdf, name="invoice_pdf"),
    path("org/<slug:slug>/invoices/<str:number>/receipt.pdf", sponsor.receipt_pdf, name="receipt_pdf"),
    path("org/<slug:slug>/invoices/<str:number>/details/", sponsor.invoice_details, name="invoice_details"),
    path(
        "org/<slug:slug>/invoices/<str:number>/checkout/", sponsor.invoice_checkout, name="invoice_checkout"
    ),
    path("org/<slug:slug>/invoices/<str:number>/send/", sponsor.invoice_send, name="invoice_send"),
]
