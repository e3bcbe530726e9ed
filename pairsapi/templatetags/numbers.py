from django import template

register = template.Library()


@register.filter
def plain(value):
    """A number as a trader writes it: 603 not 603.0, 0.9375, 62,588; a dash when unknown."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")
