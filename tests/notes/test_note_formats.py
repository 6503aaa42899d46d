"""Session note formats as data (issue 10, item 1): the shipped file, and the rules it is checked by."""

import pytest

from practice.notes.formats import FORMATS_FILE, FormatsError, NoteSection, load_formats


def test_the_shipped_formats_are_dap_soap_birp_and_free_form_each_with_its_sections_and_prompts():
    formats = load_formats()
    assert list(formats) == ["dap", "soap", "birp", "free"]
    assert [s.title for s in formats["dap"].sections] == ["Data", "Assessment", "Plan"]
    assert [s.title for s in formats["soap"].sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    assert [s.title for s in formats["birp"].sections] == ["Behaviour", "Intervention", "Response", "Plan"]
    assert [s.key for s in formats["free"].sections] == ["note"]
    assert all(section.prompt for shape in formats.values() for section in shape.sections)
    assert formats["soap"].section("objective") == NoteSection(
        "objective", "Objective", "What you observed: affect, interaction, engagement, anything measured.")
    assert formats["soap"].section("nowhere") is None


def test_the_app_loads_them_at_start_up(app):
    from practice.notes import formats

    with app.app_context():
        formats.init_app(app)
        assert formats.formats()["dap"].title == "DAP"


@pytest.mark.parametrize(("text", "problem"), [
    ("formats:\n  dap:\n    title: DAP\n    about: Data.\n    sections:\n"
     "      - {key: data, title: Data, prompt: ''}\n",
     "formats.dap.sections[0].prompt: must not be blank"),
    ("formats:\n  dap:\n    title: DAP\n    about: Data.\n    sections:\n"
     "      - {key: data, title: Data, prompt: What.}\n      - {key: data, title: Again, prompt: What.}\n",
     "formats.dap.sections[1].key: is used twice, by sections #0 and #1"),
    ("formats:\n  Bad Key:\n    title: X\n    about: Y.\n    sections: []\n", "formats.Bad Key"),
    ("formats:\n  dap:\n    title: DAP\n    about: Data.\n    sections: []\n",
     "formats.dap.sections: must list 1 to 8 sections"),
    ("formats:\n  dap:\n    title: DAP\n    colour: red\n", "formats.dap.colour: is not a field here"),
    ("formats: [\n", "not valid YAML"),
])
def test_a_broken_file_is_refused_naming_the_file_and_the_place(tmp_path, text, problem):
    broken = tmp_path / "note_formats.yaml"
    broken.write_text(text)
    with pytest.raises(FormatsError) as refused:
        load_formats(broken)
    assert all(line.startswith(f"{broken}: ") for line in refused.value.problems)
    assert problem in str(refused.value), str(refused.value)


def test_the_shipped_file_is_the_one_in_worksheets():
    assert FORMATS_FILE.name == "note_formats.yaml" and FORMATS_FILE.parent.name == "worksheets"
