"""Find every form on Onward's pages: GET each page a user can see and read its <form>s."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name → (kind, [options], value)

    @property
    def key(self):
        return f"{self.method.upper()} {self.action} ({', '.join(sorted(self.fields))})"


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.page, self.forms, self.current, self.select = page, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.current = Form(self.page, action, (attrs.get("method") or "get").lower())
            self.forms.append(self.current)
        elif self.current is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                return
            self.current.fields[attrs["name"]] = (kind, [], attrs.get("value", ""))
        elif tag == "textarea":
            self.current.fields[attrs["name"]] = ("textarea", [], "")
        elif tag == "select":
            self.select = attrs["name"]
            self.current.fields[self.select] = ("select", [], "")
        elif tag == "option" and self.select:
            self.current.fields[self.select][1].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(page_url, html):
    parser = _FormParser(page_url)
    parser.feed(html)
    return [form for form in parser.forms if urlsplit(form.action).netloc in ("", "testserver")]
