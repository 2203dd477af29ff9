"""The reporting app's background jobs, one module per area (found by Celery through this
package): the summaries' refresh and the periodic reports."""

from .exports import *  # noqa: F403
from .reports import *  # noqa: F403
from .summary import *  # noqa: F403
