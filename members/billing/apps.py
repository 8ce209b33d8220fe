from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "members.billing"
    label = "billing"
    verbose_name = _("Dues and payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: they load models, which only exist once the app
        # registry is ready (Django's rule for AppConfig modules), not to avoid a cycle.
        from core import dashboard
        from members.billing import privacy
        from members.billing.permissions import can_view_treasury

        dashboard.register_work_link(
            "billing_manage:overview", _("Dues: billed, paid, outstanding"), can_view_treasury, order=50
        )
        # Members' data: invoices in a person's export, kept on erasure (core/privacy.py).
        privacy.register()
        # The stored PDFs attached to the invoice and receipt emails (core/mail.py).
        from core.mail import register_attachment_source
        from members.billing.services.invoices import (
            INVOICE_PDF,
            RECEIPT_PDF,
            stored_invoice_pdf,
            stored_receipt_pdf,
        )

        register_attachment_source(INVOICE_PDF, stored_invoice_pdf)
        register_attachment_source(RECEIPT_PDF, stored_receipt_pdf)
