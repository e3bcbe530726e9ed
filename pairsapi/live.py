"""Pages that update themselves: static/js/live.js follows the signal stream and, on a change,
reads the page's live parts again (``?fragment=<name>``) and swaps them in place, so the reader
keeps their place, filters and scroll."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_live(
    request: HttpRequest,
    template: str,
    fragments: dict[str, str],
    context: dict,
    status: int = 200,
) -> HttpResponse:
    """The page, or only the part ``?fragment=`` names (one of ``fragments``: name → the
    template the page includes for that part)."""
    part = fragments.get(request.GET.get("fragment", ""))
    return render(request, part or template, context, status=status)
