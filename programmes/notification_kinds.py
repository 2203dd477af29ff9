"""The registry of notification kinds: apps register what they notify about, the base stores,
lists, mails and digests it (`programmes.services.notifications`) and never names an app.

A kind says who may subscribe to it (`audience`: roles), what a person gets before they chose
anything (`default_on`, `default_email`, `default_in_app`, `default_mode`) and whether it may
come as a daily digest. Labels are lazy translations: registration happens at start-up, the
language is the reader's. The registry style is that of `programmes.registry`.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# The width of `Notification.kind` and `NotificationPreference.kind`.
KIND_MAX_LENGTH = 50

AT_ONCE = "now"
DIGEST = "digest"
MODES = (AT_ONCE, DIGEST)
DEFAULT_DIGEST_HOUR = 8


@dataclass(frozen=True)
class NotificationKind:
    """Something an app tells people about (an urgent signal, a daily digest of new ones).

    `audience`: the roles that may have it (and see it on their preferences page). Before a
    person chose, they get it when `default_on`, in the app when `default_in_app`, by mail
    when `default_email`, at once or in the daily digest (`default_mode`); `digest` says
    whether a digest may be chosen at all (an urgent matter never waits for one).
    """

    code: str
    label: str
    description: str = ""
    audience: frozenset = field(default_factory=frozenset)
    default_on: bool = True
    default_in_app: bool = True
    default_email: bool = True
    default_mode: str = AT_ONCE
    digest: bool = True
    order: int = 100

    def __post_init__(self):
        if not self.code or len(self.code) > KIND_MAX_LENGTH:
            raise ValueError(
                f"a notification kind code is 1 to {KIND_MAX_LENGTH} characters: {self.code!r}"
            )
        if self.default_mode not in MODES:
            raise ValueError(f"default_mode must be one of {MODES}: {self.default_mode!r}")
        if self.default_mode == DIGEST and not self.digest:
            raise ValueError(f"{self.code!r} defaults to a digest it does not allow")
        object.__setattr__(self, "audience", frozenset(self.audience))

    def allows(self, user) -> bool:
        """Whether `user`'s role may have this kind."""
        return getattr(user, "role", None) in self.audience


_kinds: dict[str, NotificationKind] = {}


def register_notification_kind(kind: NotificationKind) -> NotificationKind:
    """Add a notification kind; a kind registered again under the same code replaces it."""
    _kinds[kind.code] = kind
    return kind


def unregister_notification_kind(code: str) -> NotificationKind | None:
    """Take a notification kind away again (a test); returns what was registered."""
    return _kinds.pop(code, None)


def notification_kind(code: str) -> NotificationKind:
    """The registered kind with this code; KeyError when there is none."""
    return _kinds[code]


def notification_kinds(*, user=None) -> list[NotificationKind]:
    """Every registered kind in order; with `user`, only those their role may have."""
    kinds = sorted(_kinds.values(), key=lambda kind: kind.order)
    return [kind for kind in kinds if user is None or kind.allows(user)]


def notification_kind_label(code: str) -> str:
    """The label of a kind for people; a neutral word for a kind nobody registers (any more)."""
    kind = _kinds.get(code)
    return str(kind.label) if kind is not None else _("Notification")
