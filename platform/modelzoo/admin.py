from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import BaseModel


def _is_platform_admin(request) -> bool:
    return bool(getattr(request.user, "is_platform_admin", False))


class BaseModelImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Keras model file (.keras)"))
    slug = forms.SlugField(label=gettext_lazy("Short name"), max_length=50, required=False,
                           help_text=gettext_lazy("Letters, digits and hyphens; the file's name if empty."))
    title_zh = forms.CharField(label=gettext_lazy("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=200, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    preprocessing = forms.ChoiceField(label=gettext_lazy("Input scaling the model was trained with"),
                                      choices=BaseModel.Preprocessing.choices, initial=BaseModel.Preprocessing.UNIT)


@admin.register(BaseModel)
class BaseModelAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_zh", "source", "status", "input_shape", "num_layers", "total_params", "trained_on", "updated_at")
    list_filter = ("source", "status")
    search_fields = ("slug", "title_zh", "title_en")
    readonly_fields = ("slug", "source", "relative_path", "input_shape", "output_shape", "num_layers", "total_params", "trained_on",
                       "status", "message", "started_at", "created_at", "updated_at")
    actions = ["pretrain"]
    change_list_template = "admin/modelzoo/basemodel/change_list.html"

    def has_add_permission(self, request) -> bool:
        # Bases come from pre-training or from an import (which checks the file), never typed in.
        return False

    def has_pretrain_permission(self, request) -> bool:
        return _is_platform_admin(request)

    @admin.action(description=gettext_lazy("Pre-train the selected platform bases again (in the background)"), permissions=["pretrain"])
    def pretrain(self, request, queryset):
        if not _is_platform_admin(request):
            raise PermissionDenied
        queued, skipped = [], []
        for base in queryset:
            if base.source == BaseModel.Source.PLATFORM and services.platform_base_get(base.slug) is not None:
                services.base_model_queue(base.slug, force=True)
                queued.append(base.slug)
            else:
                skipped.append(base.slug)
        if queued:
            self.message_user(request, _("Pre-training queued for: %(names)s. The lab says the base is being prepared until it is ready.")
                              % {"names": ", ".join(queued)}, messages.SUCCESS)
        if skipped:
            self.message_user(request, _("Only the platform's own bases can be pre-trained; skipped: %(names)s.")
                              % {"names": ", ".join(skipped)}, messages.WARNING)

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="modelzoo_basemodel_import")] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "can_import": _is_platform_admin(request)})

    def import_view(self, request):
        """Upload a .keras file; it is loaded in a child process (safe_mode) before it is kept."""
        if not _is_platform_admin(request):
            raise PermissionDenied
        form = BaseModelImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                base = services.base_model_import(data["file"], slug=data["slug"], title_zh=data["title_zh"], title_en=data["title_en"],
                                                  description=data["description"], preprocessing=data["preprocessing"])
            except services.BaseModelRefused as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(request, base.message, messages.SUCCESS)
                return redirect(reverse("admin:modelzoo_basemodel_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Import a Keras base model"), "max_mb": services.MAX_IMPORT_BYTES // (1024 * 1024)}
        return TemplateResponse(request, "admin/modelzoo/basemodel/import.html", context)

    def delete_model(self, request, obj):
        services.base_model_delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.base_model_delete(obj)
