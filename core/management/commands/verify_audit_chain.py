from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit chain. Exits non-zero naming the first bad entry."

    def handle(self, *args: object, **options: object) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken: {report.problem} (first bad entry #{report.first_bad_seq})."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
