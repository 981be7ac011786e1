"""The procedure pages of the docs site (docs/docsite/rst): every playbook is shown on one, exactly as it is."""
import glob
import os
import re
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BLOCK = re.compile(r"^\.\. code-block:: yaml\+jinja\n   :caption: (playbooks/\S+)\n\n((?:   .*\n|\n)+)", re.MULTILINE)


def shown_playbooks():
    shown = {}
    for page in glob.glob(os.path.join(REPO, "docs", "docsite", "rst", "*.rst")):
        with open(page, encoding="utf-8") as handle:
            for path, body in BLOCK.findall(handle.read()):
                shown.setdefault(path, []).append(textwrap.dedent(body).strip("\n"))
    return shown


def test_every_playbook_is_shown_once_as_it_is():
    shown = shown_playbooks()
    playbooks = sorted(os.path.relpath(path, REPO) for path in glob.glob(os.path.join(REPO, "playbooks", "*.yml")))
    assert sorted(shown) == playbooks
    for path, bodies in shown.items():
        with open(os.path.join(REPO, path), encoding="utf-8") as handle:
            assert bodies == [handle.read().strip("\n")], "%s differs from its page" % path


def test_every_page_is_in_the_extra_docs_index():
    with open(os.path.join(REPO, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        index = handle.read()
    for page in glob.glob(os.path.join(REPO, "docs", "docsite", "rst", "*.rst")):
        name = os.path.basename(page)[:-len(".rst")]
        assert re.search(r"^      - %s$" % name, index, re.MULTILINE), name
        with open(page, encoding="utf-8") as handle:
            assert handle.readline() == ".. _ansible_collections.drkit.microsoft.docsite.%s:\n" % name
