from django.contrib import admin

from members.billing.models import (
    BillingAccount,
    BillingFlag,
    Invoice,
    InvoiceCounter,
    Payment,
    StripeEvent,
)


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ["organisation", "stripe_customer_id", "created_at"]
    search_fields = ["organisation__legal_name", "stripe_customer_id"]
    raw_id_fields = ["organisation"]


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(admin.ModelAdmin):
    list_display = ["year", "last"]


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("method", "outcome", "amount_minor", "currency", "refunded_minor", "received_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "organisation", "class_code", "amount_minor", "currency", "status", "due_at"]
    list_filter = ["status", "class_code", "currency"]
    search_fields = ["number", "organisation__legal_name", "stripe_invoice_id", "po_number"]
    raw_id_fields = ["membership", "organisation", "rule_set"]
    inlines = [PaymentInline]
    # Amounts, classes and the rule set are frozen at issue: never edit them here.
    readonly_fields = ["number", "amount_minor", "currency", "class_code", "rule_set", "year_key", "status"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["pk", "invoice", "method", "outcome", "amount_minor", "currency", "received_at"]
    list_filter = ["method", "outcome"]
    search_fields = ["invoice__number", "stripe_payment_intent_id", "stripe_invoice_id"]
    raw_id_fields = ["invoice", "organisation"]
    readonly_fields = ["outcome", "amount_minor", "currency", "refunded_minor", "applied_expires_at"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "outcome", "received_at", "processed_at", "attempts"]
    list_filter = ["outcome", "type"]
    search_fields = ["event_id"]
    readonly_fields = ["event_id", "type", "payload", "api_version", "livemode", "stripe_created"]


@admin.register(BillingFlag)
class BillingFlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "invoice", "payment", "created_at", "resolved_at"]
    list_filter = ["kind", "resolved_at"]
    raw_id_fields = ["invoice", "payment"]
