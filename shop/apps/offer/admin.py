from oscar.apps.offer.admin import *  # noqa: F403  (Oscar fork pattern)
