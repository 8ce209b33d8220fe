"""Django admin for billing: read-only.

Invoices, payments and their flags change only through the billing services (issue, pay,
refund, in-kind, resolve), which audit; amounts and classes are frozen at issue.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from members.billing.models import (
    BillingAccount,
    BillingFlag,
    Invoice,
    InvoiceCounter,
    Payment,
    StripeEvent,
)


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "stripe_customer_id", "created_at"]
    search_fields = ["organisation__legal_name", "stripe_customer_id"]


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(ReadOnlyAdmin):
    list_display = ["year", "last"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("method", "outcome", "amount_minor", "currency", "refunded_minor", "received_at")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "class_code", "amount_minor", "currency", "status", "due_at"]
    list_filter = ["status", "class_code", "currency"]
    search_fields = ["number", "organisation__legal_name", "stripe_invoice_id", "po_number"]
    inlines = [PaymentInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "invoice", "method", "outcome", "amount_minor", "currency", "received_at"]
    list_filter = ["method", "outcome"]
    search_fields = ["invoice__number", "stripe_payment_intent_id", "stripe_invoice_id"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "outcome", "received_at", "processed_at", "attempts"]
    list_filter = ["outcome", "type"]
    search_fields = ["event_id"]


@admin.register(BillingFlag)
class BillingFlagAdmin(ReadOnlyAdmin):
    list_display = ["kind", "invoice", "payment", "created_at", "resolved_at"]
    list_filter = ["kind", "resolved_at"]
