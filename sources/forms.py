from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Position


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, image, Word, Excel, PowerPoint, OpenDocument or RTF."))
    title = forms.CharField(label=_("Title (optional)"), max_length=300, required=False,
                            help_text=_("e.g. Aix-en-Provence appeal court ruling, 9 January 2014."))
    accept_duplicate = forms.BooleanField(
        label=_("Attach it here as well"), required=False,
        help_text=_("Tick to attach a file that is already stored with another source."),
    )


class DocumentSearchForm(forms.Form):
    q = forms.CharField(label=_("Words in the text of source files"), max_length=200, required=False)


class ChooseCaseForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Case"), queryset=None, empty_label=_("Choose a case"))

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases


class CiteDocumentForm(forms.Form):
    fact = forms.ChoiceField(label=_("Fact that cites the file"))
    page = forms.IntegerField(label=_("Page"), min_value=1, required=False,
                              help_text=_("The page of the file the fact rests on."))
    quote = forms.CharField(label=_("Quote (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    position = forms.ChoiceField(label=_("The file…"), choices=Position.choices, initial=Position.SUPPORTS)

    def __init__(self, *args, facts, page_count=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fact"].choices = facts
        self.page_count = page_count
        if page_count:
            self.fields["page"].widget.attrs["max"] = page_count
            self.fields["page"].help_text = _("The page of the file the fact rests on (1–%(count)s).") % {
                "count": page_count}
