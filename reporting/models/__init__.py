"""The reporting app's own rows: summary tables kept by tasks and the periodic reports."""

from .exports import *  # noqa: F403
from .reports import *  # noqa: F403
from .summary import *  # noqa: F403
