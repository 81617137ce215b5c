# Day before month and the month in letters: neither the US 12/04/2026 nor "Dec. 4, 2026".
DATE_FORMAT = "j M Y"  # 4 Dec 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"  # 4 Dec 2026 18:30
SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"  # the 24-hour clock, as in China
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 4 December
WEEKDAY_DATE_FORMAT = "D j M"  # Fri 4 Dec
