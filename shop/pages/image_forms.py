"""Wagtail's image upload form, refusing an unreadable image with a form error, not a 500.

Wagtail recognises the format from the file's first bytes, then opens it with Pillow to count
pixels; a file that starts like a PNG but is cut short (or is otherwise corrupt) makes Pillow
raise ``UnidentifiedImageError`` out of the form, which would be a 500 on /cms/images/add/.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class WagtailImageFieldRefusingUnreadableFiles(WagtailImageField):
    def to_python(self, data):
        try:
            return super().to_python(data)
        except forms.ValidationError:
            raise
        except (OSError, ValueError, SyntaxError) as error:
            # Pillow signals a corrupt file with OSError (UnidentifiedImageError), ValueError
            # or SyntaxError, depending on the format and where the data runs out.
            raise forms.ValidationError(
                _("This file is not a readable image."), code="invalid_image"
            ) from error


class ImageForm(BaseImageForm):
    file = WagtailImageFieldRefusingUnreadableFiles(label=_("File"))
