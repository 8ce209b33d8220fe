from celery import shared_task

from core.audit import audit_publish_head
from core.health import beat_heartbeat as _beat_heartbeat
from core.mail import deliver_queued_email
from core.outbox import relay_outbox as _relay
from core.services.retention import retention_apply


@shared_task(name="core.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return _relay()


@shared_task(
    name="core.send_email", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_email(*, email_id: str) -> None:
    deliver_queued_email(email_id=email_id)


@shared_task(name="core.publish_audit_head", ignore_result=True)
def publish_audit_head() -> int:
    published = audit_publish_head(reason="daily")
    return published.seq if published else 0


@shared_task(name="core.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Beat sends this every half minute; /readyz reads its age (core.health)."""
    _beat_heartbeat()


@shared_task(name="core.apply_retention", ignore_result=True)
def apply_retention() -> dict[str, int]:
    """Delete personal data past the rule set's retention periods (safe to run twice)."""
    return retention_apply()
