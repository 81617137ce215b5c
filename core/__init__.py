"""Small helpers every app of the store shares: money rounding, CSV downloads, links, messages.

What belongs here: a rule more than one app applies the same way, written once. Nothing here
has models or imports from the store's own apps (``shop``, ``loyalty``, ``credit`` …), so any
app can import it without a cycle.
"""
