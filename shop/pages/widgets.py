"""The rich-text widget of every Wagtail form, refusing a malformed value instead of a 500.

Draftail posts its content as contentstate JSON. Wagtail converts whatever JSON arrives, so a
hand-made POST with ``1``, ``[]`` or ``{"blocks": 5}`` in a rich-text field (the campaign
body, say) would crash the converter. Such a value is read as "nothing was
entered": a required field then says "This field is required", like any empty one.
"""

from wagtail.admin.rich_text import DraftailRichTextArea


class DraftailRichTextAreaRefusingMalformedInput(DraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            return None
