from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tingsu.triage.learning.models import TriageCorrection, TriageModel, TriagePrediction
from tingsu.triage.learning.services import model_activate


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ("__str__", "target", "version", "is_active", "trained_on", "created_at")
    list_filter = ("target", "is_active")
    readonly_fields = (
        "target",
        "version",
        "created_at",
        "trained_on",
        "source",
        "labels",
        "metrics",
        "is_active",
    )
    exclude = ("blob",)
    actions = ["use_this_model"]

    def has_add_permission(self, request):
        return False  # models come from `tingsu triage train`

    @admin.action(description=_("Use this model (and stop using the others for its target)"))
    def use_this_model(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one model."), messages.ERROR)
            return
        model = model_activate(model=queryset.get())
        self.message_user(request, _("%(model)s is now in use.") % {"model": model})


@admin.register(TriagePrediction)
class TriagePredictionAdmin(admin.ModelAdmin):
    list_display = ("case", "target", "label", "confidence", "applied", "model", "created_at")
    list_filter = ("target", "applied")
    raw_id_fields = ("case",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TriageCorrection)
class TriageCorrectionAdmin(admin.ModelAdmin):
    list_display = ("case", "target", "predicted", "corrected_to", "by", "created_at")
    list_filter = ("target",)
    raw_id_fields = ("case",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
