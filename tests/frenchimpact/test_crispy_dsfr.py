"""The ``crispy_dsfr`` template pack (templates/crispy_dsfr/) renders forms in
DSFR markup, accessible: labels tied to their controls, hints and errors wired
through aria-describedby, an error summary linking to the fields, optional
fields marked « (facultatif) », no inline style nor script."""

from html.parser import HTMLParser

import pytest
from crispy_forms.bootstrap import FormActions, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import (
    HTML,
    Button,
    ButtonHolder,
    Column,
    Div,
    Field,
    Fieldset,
    Hidden,
    Layout,
    MultiField,
    Row,
    Submit,
)
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils.html import format_html

# --------------------------------------------------------------------------
# A tiny DOM, to assert on elements and attributes rather than on substrings.

VOID_ELEMENTS = {"input", "br", "img", "hr", "meta", "link", "source", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    @property
    def id(self):
        return self.attrs.get("id")

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}> in the output"
        return found[0]

    def by_id(self, id_):
        return self.find(id=id_)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self):
        parts = []
        for child in self.children:
            parts.append(child.text() if isinstance(child, Node) else child)
        return " ".join(" ".join(parts).split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"</{tag}> closes nothing"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, "unclosed element in the output"
    return builder.root


def render(template, **context):
    context.setdefault("csrf_token", "test-csrf-token")
    return Template("{% load crispy_forms_tags %}" + template).render(Context(context))


def controls(dom):
    """The visible form controls of a rendered form."""
    return [
        node
        for node in dom.find_all()
        if node.tag in {"input", "select", "textarea"}
        and node.attrs.get("type") != "hidden"
    ]


def assert_accessible(html):
    """Invariants every output of the pack must satisfy."""
    assert "style=" not in html
    assert "<script" not in html.lower()
    dom = parse(html)
    ids = [node.id for node in dom.iter() if node.id]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for node in dom.iter():
        for aria in ("aria-describedby", "aria-labelledby"):
            for ref in (node.attrs.get(aria) or "").split():
                assert ref in ids, f"{aria}={ref!r} points to nothing"
    for control in controls(dom):
        labels = dom.find_all("label", **{"for": control.id})
        assert labels or control.attrs.get("aria-labelledby"), control.attrs
    for link in dom.find_all("a"):
        href = link.attrs.get("href", "")
        if href.startswith("#"):
            assert href[1:] in ids, f"summary link {href} points to nothing"
    return dom


# --------------------------------------------------------------------------
# Sample forms

REGIONS = [("", "Choisissez une région"), ("84", "Auvergne-Rhône-Alpes")]
KINDS = [("asso", "Association"), ("coop", "Coopérative")]
TOPICS = [("emploi", "Emploi"), ("mobilite", "Mobilité"), ("sante", "Santé")]


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom du territoire", help_text="Tel qu’il est connu")
    email = forms.EmailField(label="Courriel")
    members = forms.IntegerField(label="Nombre de membres", required=False)
    region = forms.ChoiceField(label="Région", choices=REGIONS)
    kind = forms.ChoiceField(
        label="Forme juridique",
        choices=KINDS,
        widget=forms.RadioSelect,
        help_text="Celle de la structure porteuse",
    )
    topics = forms.MultipleChoiceField(
        label="Thématiques", choices=TOPICS, widget=forms.CheckboxSelectMultiple
    )
    newsletter = forms.BooleanField(label="Recevoir la lettre", required=False)
    document = forms.FileField(label="Dossier", help_text="PDF, 10 Mo au plus")

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("name") == "Interdit":
            raise forms.ValidationError("Ce territoire ne peut pas candidater.")
        return cleaned_data


class SampleHelperForm(SampleForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "candidature"
        self.helper.layout = Layout(
            Fieldset("Le territoire", "name", "email", "members", "region"),
            Fieldset("Le projet", "kind", "topics", "newsletter", "document"),
            Submit("save", "Enregistrer"),
        )


class ItemForm(forms.Form):
    title = forms.CharField(label="Intitulé", help_text="Court")
    amount = forms.IntegerField(label="Montant", required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=2)

INVALID_DATA = {
    "name": "",
    "email": "pas-un-courriel",
    "members": "beaucoup",
    "region": "",
    "topics": ["inconnu"],
}

VALID_FILES = {"document": SimpleUploadedFile("dossier.pdf", b"%PDF-1.4")}


@pytest.fixture
def unbound_dom():
    html = render("{% crispy form %}", form=SampleHelperForm())
    return assert_accessible(html)


@pytest.fixture
def invalid_dom():
    html = render("{% crispy form %}", form=SampleHelperForm(data=INVALID_DATA))
    return assert_accessible(html)


# --------------------------------------------------------------------------
# {% crispy form %} with a FormHelper


def test_form_tag_csrf_and_multipart(unbound_dom):
    form = unbound_dom.find("form")

    assert form.attrs["method"] == "post"
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.id == "candidature"
    assert form.find("input", type="hidden", name="csrfmiddlewaretoken")


@pytest.mark.parametrize(
    "field, group, control_class",
    [
        ("name", "fr-input-group", "fr-input"),
        ("email", "fr-input-group", "fr-input"),
        ("members", "fr-input-group", "fr-input"),
        ("region", "fr-select-group", "fr-select"),
        ("document", "fr-upload-group", "fr-upload"),
    ],
)
def test_text_select_and_file_controls_are_dsfr_groups(
    unbound_dom, field, group, control_class
):
    control = unbound_dom.by_id(f"id_{field}")
    wrapper = control.parent

    assert control_class in control.classes
    assert group in wrapper.classes
    label = wrapper.find("label", **{"for": f"id_{field}"})
    assert label.classes[0] == "fr-label"
    assert wrapper.children.index(label) < wrapper.children.index(control)


def test_layout_fieldsets_and_submit(unbound_dom):
    fieldsets = [
        node
        for node in unbound_dom.find_all("fieldset", cls="fr-fieldset")
        if node.find_all("legend", cls="fr-fieldset__legend")
        and "fr-fieldset__legend--regular" not in node.find("legend").classes
    ]
    legends = [fieldset.find("legend").text() for fieldset in fieldsets]
    assert legends == ["Le territoire", "Le projet"]
    assert fieldsets[0].find("div", cls="fr-fieldset__element").find(id="id_name")

    button = unbound_dom.find("button", type="submit", name="save")
    assert button.classes == ["fr-btn"]
    assert button.text() == "Enregistrer"
    assert not unbound_dom.find_all("input", type="submit")


def test_hint_is_in_the_label_and_describes_the_control(unbound_dom):
    hint = unbound_dom.by_id("id_name-hint")

    assert hint.tag == "span"
    assert "fr-hint-text" in hint.classes
    assert hint.text() == "Tel qu’il est connu"
    assert hint.parent.tag == "label"
    assert hint.parent.attrs["for"] == "id_name"
    assert unbound_dom.by_id("id_name").attrs["aria-describedby"] == "id_name-hint"
    assert "aria-describedby" not in unbound_dom.by_id("id_email").attrs
    assert "aria-invalid" not in unbound_dom.by_id("id_email").attrs


def test_radios_are_a_fieldset_named_by_their_legend(unbound_dom):
    fieldset = unbound_dom.by_id("div_id_kind")
    legend = fieldset.find("legend")

    assert fieldset.tag == "fieldset"
    assert fieldset.classes == ["fr-fieldset"]
    assert fieldset.attrs["aria-labelledby"] == "id_kind-legend"
    assert legend.id == "id_kind-legend"
    assert "fr-fieldset__legend" in legend.classes
    assert legend.find("span", cls="fr-hint-text").text() == (
        "Celle de la structure porteuse"
    )
    elements = fieldset.find_all("div", cls="fr-fieldset__element")
    assert len(elements) == len(KINDS)
    for index, (element, (value, label)) in enumerate(
        zip(elements, KINDS, strict=True)
    ):
        group = element.find("div", cls="fr-radio-group")
        radio = group.find("input", type="radio")
        assert radio.attrs["name"] == "kind"
        assert radio.attrs["value"] == value
        assert radio.id == f"id_kind_{index}"
        assert group.find("label", cls="fr-label", **{"for": radio.id}).text() == label
    messages = fieldset.find("div", cls="fr-messages-group")
    assert messages.id == "id_kind-messages"
    assert messages.attrs["aria-live"] == "assertive"
    assert messages.text() == ""


def test_checkboxes_are_a_fieldset_of_checkbox_groups(unbound_dom):
    fieldset = unbound_dom.by_id("div_id_topics")

    assert fieldset.tag == "fieldset"
    groups = fieldset.find_all("div", cls="fr-checkbox-group")
    assert len(groups) == len(TOPICS)
    for index, group in enumerate(groups):
        checkbox = group.find("input", type="checkbox", name="topics")
        assert checkbox.id == f"id_topics_{index}"
        assert group.find("label", **{"for": checkbox.id}).text() == TOPICS[index][1]


def test_single_checkbox_comes_before_its_label(unbound_dom):
    checkbox = unbound_dom.by_id("id_newsletter")
    group = checkbox.parent

    assert checkbox.attrs["type"] == "checkbox"
    assert "fr-checkbox-group" in group.classes
    label = group.find("label", cls="fr-label", **{"for": "id_newsletter"})
    assert group.children.index(checkbox) < group.children.index(label)


def test_optional_fields_are_marked_and_required_ones_announced(unbound_dom):
    def label_of(field_id):
        return unbound_dom.find("label", **{"for": field_id}).text()

    assert label_of("id_members") == "Nombre de membres (facultatif)"
    assert label_of("id_newsletter") == "Recevoir la lettre (facultatif)"
    assert label_of("id_email") == "Courriel"
    assert label_of("id_name") == "Nom du territoire Tel qu’il est connu"
    assert "facultatif" not in unbound_dom.by_id("id_kind-legend").text()
    notices = [
        node
        for node in unbound_dom.find_all("p")
        if node.text() == "Sauf mention contraire, tous les champs sont obligatoires."
    ]
    assert len(notices) == 1


def test_required_notice_can_be_hidden():
    form = SampleHelperForm()
    form.helper.show_required_notice = False

    assert "Sauf mention contraire" not in render("{% crispy form %}", form=form)


def test_unbound_form_shows_no_error(unbound_dom):
    html_classes = {cls for node in unbound_dom.iter() for cls in node.classes}

    assert not unbound_dom.find_all(role="alert")
    assert not [cls for cls in html_classes if cls.endswith("--error")]
    assert not unbound_dom.find_all(cls="fr-error-text")


# --------------------------------------------------------------------------
# Bound, invalid form


@pytest.mark.parametrize(
    "field, group_error, control_error",
    [
        ("name", "fr-input-group--error", "fr-input--error"),
        ("email", "fr-input-group--error", "fr-input--error"),
        ("members", "fr-input-group--error", "fr-input--error"),
        ("region", "fr-select-group--error", "fr-select--error"),
        ("document", "fr-upload-group--error", None),
    ],
)
def test_errors_are_shown_next_to_the_controls(
    invalid_dom, field, group_error, control_error
):
    control = invalid_dom.by_id(f"id_{field}")
    error = invalid_dom.by_id(f"id_{field}-error")

    assert group_error in control.parent.classes
    if control_error:
        assert control_error in control.classes
    assert control.attrs["aria-invalid"] == "true"
    assert f"id_{field}-error" in control.attrs["aria-describedby"].split()
    assert error.tag == "p"
    assert "fr-error-text" in error.classes
    assert error.parent is control.parent
    assert error.text()


def test_hint_and_error_both_describe_the_control(invalid_dom):
    name = invalid_dom.by_id("id_name")

    assert name.attrs["aria-describedby"] == "id_name-hint id_name-error"
    assert invalid_dom.by_id("id_name-error").text() == "Ce champ est obligatoire."


@pytest.mark.parametrize("field", ["kind", "topics"])
def test_choice_fieldsets_in_error(invalid_dom, field):
    fieldset = invalid_dom.by_id(f"div_id_{field}")
    messages = invalid_dom.by_id(f"id_{field}-messages")

    assert "fr-fieldset--error" in fieldset.classes
    assert fieldset.attrs["aria-labelledby"] == (
        f"id_{field}-legend id_{field}-messages"
    )
    error = messages.find("p", cls="fr-message--error")
    assert "fr-message" in error.classes
    assert error.id == f"id_{field}-error"
    assert error.text()
    for choice in fieldset.find_all("input"):
        assert choice.attrs["aria-invalid"] == "true"


def test_error_summary_links_to_every_field_in_error(invalid_dom):
    summary = invalid_dom.find(role="alert")
    form = invalid_dom.find("form")

    assert summary.tag == "div"
    assert {"fr-alert", "fr-alert--error"} <= set(summary.classes)
    assert summary.find("h2", cls="fr-alert__title").text() == (
        "Corrigez les erreurs suivantes :"
    )
    assert form.children.index(summary) < form.children.index(form.find("fieldset")), (
        "the summary comes before the fields"
    )
    links = {
        link.attrs["href"]: link.text() for link in summary.find("ul").find_all("a")
    }
    assert links == {
        "#id_name": "Nom du territoire : Ce champ est obligatoire.",
        "#id_email": "Courriel : Saisissez une adresse de courriel valide.",
        "#id_members": "Nombre de membres : Saisissez un nombre entier.",
        "#id_region": "Région : Ce champ est obligatoire.",
        "#id_kind_0": "Forme juridique : Ce champ est obligatoire.",
        "#id_topics_0": (
            "Thématiques : Sélectionnez un choix valide. inconnu n’en fait pas partie."
        ),
        "#id_document": "Dossier : Ce champ est obligatoire.",
    }


def test_non_field_errors_are_in_the_summary():
    data = {
        "name": "Interdit",
        "email": "contact@example.org",
        "region": "84",
        "kind": "asso",
        "topics": ["emploi"],
    }
    form = SampleHelperForm(data=data, files=VALID_FILES)
    dom = assert_accessible(render("{% crispy form %}", form=form))

    items = dom.find(role="alert").find_all("li")
    assert [item.text() for item in items] == ["Ce territoire ne peut pas candidater."]
    assert not items[0].find_all("a")


def test_form_error_title_from_the_helper():
    form = SampleHelperForm(data=INVALID_DATA)
    form.helper.form_error_title = "Le formulaire contient des erreurs"
    form.helper.error_summary_heading_tag = "h3"

    dom = parse(render("{% crispy form %}", form=form))

    title = dom.find(role="alert").find("h3", cls="fr-alert__title")
    assert title.text() == "Le formulaire contient des erreurs"


def test_form_show_errors_false_hides_errors():
    form = SampleHelperForm(data=INVALID_DATA)
    form.helper.form_show_errors = False

    html = render("{% crispy form %}", form=form)

    assert 'role="alert"' not in html
    assert "fr-error-text" not in html
    assert "fr-input-group--error" not in html
    assert 'aria-describedby="id_name-hint"' in html


def test_valid_form_shows_no_error():
    data = {
        "name": "Jura",
        "email": "contact@example.org",
        "region": "84",
        "kind": "asso",
        "topics": ["emploi", "sante"],
        "newsletter": "on",
    }
    form = SampleHelperForm(data=data, files=VALID_FILES)
    assert form.is_valid(), form.errors

    dom = assert_accessible(render("{% crispy form %}", form=form))

    assert not dom.find_all(role="alert")
    assert dom.by_id("id_kind_0").attrs["checked"] is None
    assert "checked" not in dom.by_id("id_kind_1").attrs
    assert "checked" in dom.by_id("id_topics_2").attrs
    assert "checked" in dom.by_id("id_newsletter").attrs
    assert dom.by_id("id_name").attrs["value"] == "Jura"


# --------------------------------------------------------------------------
# Escaping


def test_labels_values_choices_and_help_texts_are_escaped():
    form = SampleHelperForm(
        data={"name": '"><script>alert(1)</script>', "email": "<b>x</b>"}
    )
    form.fields["email"].label = "<i>Courriel</i>"
    form.fields["members"].help_text = "<img src=x onerror=alert(2)>"
    form.fields["kind"].choices = [("a", "<em>A</em>")]

    html = render("{% crispy form %}", form=form)
    dom = assert_accessible(html)

    assert "<i>" not in html
    assert "<em>" not in html
    assert "<img" not in html
    assert "&lt;i&gt;Courriel&lt;/i&gt;" in html
    assert "&lt;em&gt;A&lt;/em&gt;" in html
    assert dom.by_id("id_name").attrs["value"] == '"><script>alert(1)</script>'
    assert dom.find("label", **{"for": "id_email"}).text() == "<i>Courriel</i>"
    assert dom.by_id("id_members-hint").text() == "<img src=x onerror=alert(2)>"


def test_safe_help_text_keeps_its_markup():
    form = SampleForm()
    form.fields["name"].help_text = format_html(
        'Voir <a href="{}">la notice</a>', "/notice/"
    )

    dom = parse(render("{{ form|crispy }}", form=form))

    assert dom.by_id("id_name-hint").find("a").attrs["href"] == "/notice/"


# --------------------------------------------------------------------------
# {% crispy %} without helper, form_tag, add_input, |crispy, |as_crispy_field


def test_crispy_tag_without_helper_renders_every_field():
    html = render("{% crispy form %}", form=SampleForm())
    dom = assert_accessible(html)

    assert dom.find("form").attrs["method"] == "post"
    names = [node.attrs["name"] for node in controls(dom)]
    assert names == [
        "name",
        "email",
        "members",
        "region",
        "kind",
        "kind",
        "topics",
        "topics",
        "topics",
        "newsletter",
        "document",
    ]
    assert not dom.find_all("button")


def test_helper_without_form_tag_and_with_inputs():
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("save", "Enregistrer"))
    helper.add_input(Button("cancel", "Annuler"))
    helper.add_input(Hidden("step", "2"))

    dom = assert_accessible(
        render("{% crispy form helper %}", form=SampleForm(), helper=helper)
    )

    assert not dom.find_all("form")
    group = dom.find("ul", cls="fr-btns-group")
    assert "fr-btns-group--inline-md" in group.classes
    buttons = [item.find("button") for item in group.find_all("li")]
    assert [(b.attrs["type"], b.classes, b.text()) for b in buttons] == [
        ("submit", ["fr-btn"], "Enregistrer"),
        ("button", ["fr-btn", "fr-btn--secondary"], "Annuler"),
    ]
    assert dom.find("input", type="hidden", name="step").attrs["value"] == "2"


def test_crispy_filter_renders_fields_and_summary_without_form_tag():
    html = render("{{ form|crispy }}", form=SampleForm(data=INVALID_DATA))
    dom = assert_accessible(html)

    assert not dom.find_all("form")
    assert dom.find(role="alert").find("a", href="#id_email")
    assert "fr-input--error" in dom.by_id("id_email").classes
    assert dom.find("label", **{"for": "id_members"}).text() == (
        "Nombre de membres (facultatif)"
    )


def test_as_crispy_errors_filter():
    dom = parse(render("{{ form|as_crispy_errors }}", form=SampleForm(data={})))

    summary = dom.find(role="alert")
    assert summary.find("a", href="#id_name")


def test_as_crispy_field_filter():
    form = SampleForm(data={"name": ""})
    html = render("{{ form.name|as_crispy_field }}", form=form)
    dom = parse(html)

    group = dom.find("div", cls="fr-input-group")
    assert "fr-input-group--error" in group.classes
    assert group.find("label", **{"for": "id_name"})
    assert group.find("input").attrs["aria-describedby"] == (
        "id_name-hint id_name-error"
    )
    assert group.find("p", cls="fr-error-text").id == "id_name-error"
    assert "style=" not in html


def test_rendering_twice_does_not_duplicate_attributes():
    form = SampleHelperForm(data=INVALID_DATA)
    render("{% crispy form %}", form=form)

    dom = parse(render("{% crispy form %}", form=form))

    name = dom.by_id("id_name")
    assert name.attrs["aria-describedby"] == "id_name-hint id_name-error"
    assert name.classes.count("fr-input") == 1


# --------------------------------------------------------------------------
# Layout objects


def test_layout_objects():
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(
        Div("name", css_class="fr-mb-4w", css_id="bloc"),
        Row(Column("email"), Column("members", css_class="fr-col-md-4")),
        Field("region", css_class="fr-select--sm", wrapper_class="fr-mt-2w"),
        InlineRadios("kind"),
        MultiField("Votre projet", "topics", "newsletter", help_text="Deux questions"),
        HTML('<p class="fr-text--lead">{{ form.name.label }}</p>'),
        "document",
        ButtonHolder(Submit("save", "Enregistrer"), Button("back", "Retour")),
        FormActions(Submit("draft", "Brouillon", css_class="fr-btn--secondary")),
    )
    dom = assert_accessible(
        render("{% crispy form helper %}", form=SampleForm(), helper=helper)
    )

    div = dom.by_id("bloc")
    assert div.classes == ["fr-mb-4w"]
    assert div.find(id="id_name")
    row = dom.find("div", cls="fr-grid-row")
    assert "fr-grid-row--gutters" in row.classes
    columns = [child for child in row.children if isinstance(child, Node)]
    assert [column.classes for column in columns] == [
        ["fr-col-12", "fr-col-md"],
        ["fr-col-md-4"],
    ]
    assert "fr-select--sm" in dom.by_id("id_region").classes
    assert "fr-mt-2w" in dom.by_id("div_id_region").classes
    inline = dom.by_id("div_id_kind").find_all(cls="fr-fieldset__element--inline")
    assert len(inline) == len(KINDS)
    (multifield,) = [
        legend.parent
        for legend in dom.find_all("legend")
        if legend.classes == ["fr-fieldset__legend"]
    ]
    assert multifield.find("legend").text() == "Votre projet Deux questions"
    assert multifield.find(id="div_id_topics")
    assert multifield.find(id="id_newsletter")
    assert dom.find("p", cls="fr-text--lead").text() == "Nom du territoire"
    holder, actions = dom.find_all("ul", cls="fr-btns-group")
    assert [button.classes for button in holder.find_all("button")] == [
        ["fr-btn"],
        ["fr-btn", "fr-btn--secondary"],
    ]
    assert [li.parent for li in holder.find_all("li")] == [holder, holder]
    assert actions.find("button").classes == ["fr-btn", "fr-btn--secondary"]


def test_button_holder_with_html_keeps_its_content_in_a_list():
    helper = FormHelper()
    helper.layout = Layout(
        "name",
        ButtonHolder(
            HTML('<a class="fr-btn fr-btn--tertiary" href="/">Annuler</a>'),
            Submit("save", "Enregistrer"),
        ),
    )
    dom = assert_accessible(
        render("{% crispy form helper %}", form=ItemForm(), helper=helper)
    )

    item = dom.find("ul", cls="fr-btns-group").find("li")
    assert item.find("a").text() == "Annuler"
    assert item.find("button").text() == "Enregistrer"


def test_fieldset_without_legend_is_not_an_unnamed_group():
    helper = FormHelper()
    helper.layout = Layout(Fieldset("", "title", css_class="fr-mb-2w"))

    dom = parse(render("{% crispy form helper %}", form=ItemForm(), helper=helper))

    assert not [
        fieldset
        for fieldset in dom.find_all("fieldset")
        if not fieldset.find_all("legend")
    ]
    assert dom.find("div", cls="fr-mb-2w").find(id="id_title")


# --------------------------------------------------------------------------
# Formsets


def formset_data(**fields):
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_formset_with_helper():
    helper = FormHelper()
    helper.add_input(Submit("save", "Enregistrer"))

    html = render("{% crispy formset helper %}", formset=ItemFormSet(), helper=helper)
    dom = assert_accessible(html)

    form = dom.find("form")
    assert form.find("input", type="hidden", name="form-TOTAL_FORMS")
    assert form.find("input", name="csrfmiddlewaretoken")
    legends = [legend.text() for legend in dom.find_all("legend")]
    assert legends == ["Élément 1", "Élément 2"]
    for index in (0, 1):
        title = dom.by_id(f"id_form-{index}-title")
        assert "fr-input" in title.classes
        assert title.attrs["aria-describedby"] == f"id_form-{index}-title-hint"
        assert dom.find("label", **{"for": f"id_form-{index}-amount"}).text() == (
            "Montant (facultatif)"
        )
    assert html.count("Sauf mention contraire") == 1
    assert dom.find("ul", cls="fr-btns-group").find("button").text() == "Enregistrer"


def test_invalid_formset_has_one_summary_linking_to_each_form():
    formset = ItemFormSet(
        data=formset_data(**{"form-0-title": "", "form-0-amount": "x"})
    )
    helper = FormHelper()
    helper.form_tag = False

    html = render("{% crispy formset helper %}", formset=formset, helper=helper)
    dom = assert_accessible(html)

    (summary,) = dom.find_all(role="alert")
    links = {link.attrs["href"]: link.text() for link in summary.find_all("a")}
    assert links == {
        "#id_form-0-title": "Élément 1 – Intitulé : Ce champ est obligatoire.",
        "#id_form-0-amount": "Élément 1 – Montant : Saisissez un nombre entier.",
    }
    assert "fr-input--error" in dom.by_id("id_form-0-title").classes
    assert "fr-input--error" not in dom.by_id("id_form-1-title").classes


def test_formset_with_layout():
    helper = FormHelper()
    helper.layout = Layout(Fieldset("Dépense {{ forloop.counter }}", "title", "amount"))

    dom = assert_accessible(
        render("{% crispy formset helper %}", formset=ItemFormSet(), helper=helper)
    )

    legends = [legend.text() for legend in dom.find_all("legend")]
    assert legends == ["Dépense 1", "Dépense 2"]


def test_crispy_filter_on_a_formset():
    dom = assert_accessible(render("{{ formset|crispy }}", formset=ItemFormSet()))

    assert dom.find("input", name="form-INITIAL_FORMS")
    assert dom.by_id("id_form-1-title")


def test_table_inline_formset():
    helper = FormHelper()
    helper.template = "crispy_dsfr/table_inline_formset.html"
    helper.formset_caption = "Dépenses prévues"
    formset = ItemFormSet(data=formset_data(**{"form-0-amount": "x"}))

    dom = assert_accessible(
        render("{% crispy formset helper %}", formset=formset, helper=helper)
    )

    table = dom.find("div", cls="fr-table").find("table")
    assert table.find("caption").text() == "Dépenses prévues"
    headers = [th.text() for th in table.find_all("th", scope="col")]
    assert headers == ["Intitulé Court", "Montant (facultatif)"]
    label = table.find("label", **{"for": "id_form-1-amount"})
    assert "fr-sr-only" in label.classes
    assert label.text() == "Montant (ligne 2) (facultatif)"
    assert dom.find(role="alert").find("a", href="#id_form-0-amount")
