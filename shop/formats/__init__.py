"""How dates read on the site, per language (``FORMAT_MODULE_PATH``).

Every date shown to a person goes through these names (``|date:"DATE_FORMAT"``,
``formats.date_format(value, "SHORT_DATE_FORMAT")``), never a fixed pattern, so the Chinese
site reads Chinese. The short and long forms are the same on purpose: a date reads one way
wherever it appears ("4 Dec 2026", "2026年12月4日"). ``WEEKDAY_DATE_FORMAT`` is the store's own
name, for ready times and delivery rounds ("Fri 4 Dec", "12月4日 星期五"); Django reads any
name a format module defines.
"""
