# Django's own Chinese formats, except the month-day forms (no zero-padded month).
MONTH_DAY_FORMAT = "n月j日"  # 12月4日
WEEKDAY_DATE_FORMAT = "n月j日 D"  # 12月4日 星期五
