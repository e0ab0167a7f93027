"""What the public API shows: public data only, never a person, an e-mail,
a candidacy, a review or a score."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Wave
from challenges.models import Challenge, Objective, ProgressReport, Project
from challenges.selectors import standing_of
from territories.models import Department, Label, Region, Territory


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name"]


class LeadOrganisationSerializer(serializers.Serializer):
    name = serializers.CharField()
    town = serializers.CharField()


class LabelSummarySerializer(serializers.ModelSerializer):
    wave = serializers.IntegerField(source="wave.number")

    class Meta:
        model = Label
        fields = ["number", "status", "wave", "awarded_on", "valid_until"]


class TerritorySerializer(serializers.ModelSerializer):
    regions = RegionSerializer(many=True)
    departments = DepartmentSerializer(many=True)
    lead_organisation = LeadOrganisationSerializer(allow_null=True)
    labels = LabelSummarySerializer(many=True, source="public_labels")
    epci_codes = serializers.ListField(child=serializers.CharField())
    commune_codes = serializers.ListField(child=serializers.CharField())
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Territory
        fields = [
            "slug",
            "name",
            "kind",
            "summary",
            "regions",
            "departments",
            "epci_codes",
            "commune_codes",
            "latitude",
            "longitude",
            "lead_organisation",
            "labels",
            "page_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, territory) -> str:
        return absolute(self.context.get("request"), territory.get_absolute_url())


class LabelSerializer(serializers.ModelSerializer):
    territory = serializers.SlugField(source="territory.slug")
    territory_name = serializers.CharField(source="territory.name")
    wave = serializers.IntegerField(source="wave.number")
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Label
        fields = [
            "number",
            "status",
            "territory",
            "territory_name",
            "wave",
            "awarded_on",
            "valid_until",
            "verification_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_verification_url(self, label) -> str:
        return absolute(self.context.get("request"), label.get_verification_url())


class WaveSerializer(serializers.ModelSerializer):
    call = serializers.SlugField(source="call.slug")
    label_count = serializers.IntegerField()

    class Meta:
        model = Wave
        fields = [
            "call",
            "number",
            "name",
            "opens_at",
            "closes_at",
            "decisions_published_on",
            "status",
            "label_count",
        ]


class ChallengeSerializer(serializers.ModelSerializer):
    territory = serializers.SlugField(source="territory.slug")
    territory_name = serializers.CharField(source="territory.name")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "title",
            "theme",
            "description",
            "territory",
            "territory_name",
            "page_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, challenge) -> str:
        return absolute(self.context.get("request"), challenge.get_absolute_url())


class ProjectSerializer(serializers.ModelSerializer):
    challenge = serializers.IntegerField(source="challenge_id")
    territory = serializers.SlugField(source="challenge.territory.slug")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "structure_kind",
            "description",
            "challenge",
            "territory",
            "page_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, project) -> str:
        return absolute(self.context.get("request"), project.get_absolute_url())


class IndicatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()


class ObjectiveSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id")
    challenge = serializers.IntegerField(source="project.challenge_id")
    territory = serializers.SlugField(source="project.challenge.territory.slug")
    indicator = IndicatorSerializer()
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    latest_value = serializers.FloatField(allow_null=True)
    latest_on = serializers.DateField(allow_null=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = [
            "id",
            "statement",
            "indicator",
            "baseline",
            "baseline_on",
            "target",
            "deadline",
            "latest_value",
            "latest_on",
            "progress",
            "project",
            "challenge",
            "territory",
        ]

    @extend_schema_field(
        {
            "type": "string",
            "enum": ["no_data", "achieved", "on_track", "at_risk", "missed"],
        }
    )
    def get_progress(self, objective) -> str:
        today = self.context.setdefault("today", timezone.localdate())
        return str(standing_of(objective, today).status)


class ProgressReportSerializer(serializers.ModelSerializer):
    objective = serializers.IntegerField(source="objective_id")
    project = serializers.IntegerField(source="objective.project_id")
    territory = serializers.SlugField(
        source="objective.project.challenge.territory.slug"
    )
    value = serializers.FloatField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "reported_on",
            "value",
            "comment",
            "objective",
            "project",
            "territory",
        ]


def api_root_links(request) -> dict:
    return {
        name: absolute(request, reverse(f"api:{name}-list"))
        for name in (
            "territories",
            "labels",
            "waves",
            "challenges",
            "projects",
            "objectives",
            "progress-reports",
        )
    }
