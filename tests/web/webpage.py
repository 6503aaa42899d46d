"""Reading what a page shows, the way a person would."""

import html
import re

from tests.conftest import csrf_from


def text_of(response) -> str:
    """The page's visible text, tags stripped and whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def field_error(response, name: str) -> str | None:
    """The error message shown under the form field ``name``, or None."""
    field_id = "f-" + name.replace(".", "-")
    body = response.get_data(as_text=True)
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', body)
    return html.unescape(match.group(1)) if match else None


def field_value(response, name: str) -> str | None:
    """The value an input named ``name`` shows, or None if there is no such input."""
    body = response.get_data(as_text=True)
    for tag in re.findall(r"<input\b[^>]*>", body, flags=re.S):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def checked_choice(response, name: str) -> str | None:
    """The value of the checked radio button named ``name``, or None."""
    body = response.get_data(as_text=True)
    for tag in re.findall(r"<input\b[^>]*>", body, flags=re.S):
        if re.search(rf'\bname="{re.escape(name)}"', tag) and re.search(r"\bchecked\b", tag):
            return html.unescape(re.search(r'\bvalue="([^"]*)"', tag).group(1))
    return None


def flashes(response) -> list[str]:
    """The flash messages at the top of the page."""
    body = response.get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash--\w+">([^<]*)</p>', body)]


def csrf_token(response) -> str:
    """The CSRF token in a page's forms (read by ``csrf_from``, the suite's one reader)."""
    return csrf_from(response.get_data(as_text=True))
