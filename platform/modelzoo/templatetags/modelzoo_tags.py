"""The lab page's panel about the base network a transfer lab builds on."""

from django import template

from modelzoo.selectors import base_model_get, base_model_unready_reason

register = template.Library()


@register.inclusion_tag("modelzoo/_lab_base_model.html")
def lab_base_model_card(lab) -> dict:
    slug = (lab.options or {}).get("base_model")
    return {"base": base_model_get(slug), "slug": slug, "reason": base_model_unready_reason(slug)}
