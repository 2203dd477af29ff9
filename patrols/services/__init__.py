"""Every write of the patrols app, one module per area; import them from `patrols.services`."""

from .activities import ACTIVITY_MAX_AGE_DAYS, activity_log
from .categories import DEFAULT_CATEGORIES, categories_ensure, category_save
from .confirmations import (
    SAME_PLACE_METRES,
    near_open_signal,
    signal_confirm,
    signal_notices_read,
)
from .conversations import conversation_report
from .effort import (
    Effort,
    effort_for_month,
    effort_of,
    effort_rule_save,
    month_bounds,
    reward_hand_out,
)
from .photos import (
    PHOTO_MAX_BYTES,
    PHOTO_MAX_SIDE,
    signal_photo_add,
    signal_photo_process,
    signal_photo_requeue_stale,
)
from .records import Conflict, NotReady, payload_hash, require_ready
from .rounds import REMARK_MAX as ROUND_REMARK_MAX
from .rounds import round_end, round_start
from .schedule import round_reminder_send, round_reminders_due, round_signup, round_slot_create
from .signals import signal_report, signal_transition

__all__ = [
    "ACTIVITY_MAX_AGE_DAYS",
    "DEFAULT_CATEGORIES",
    "PHOTO_MAX_BYTES",
    "PHOTO_MAX_SIDE",
    "ROUND_REMARK_MAX",
    "SAME_PLACE_METRES",
    "Conflict",
    "Effort",
    "NotReady",
    "activity_log",
    "categories_ensure",
    "category_save",
    "conversation_report",
    "effort_for_month",
    "effort_of",
    "effort_rule_save",
    "month_bounds",
    "near_open_signal",
    "payload_hash",
    "require_ready",
    "reward_hand_out",
    "round_end",
    "round_reminder_send",
    "round_reminders_due",
    "round_signup",
    "round_slot_create",
    "round_start",
    "signal_confirm",
    "signal_notices_read",
    "signal_photo_add",
    "signal_photo_process",
    "signal_photo_requeue_stale",
    "signal_report",
    "signal_transition",
]
