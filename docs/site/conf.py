# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the collection's docs site (tests/tools/docs-site.sh), as antsibull-docs sphinx-init makes it,
with intersphinx reading a local inventory of the Ansible docs' labels that the generated pages link to: the site builds
offline, and those links still point at docs.ansible.com."""

import os

project = "drkit.microsoft"
copyright = "drkit.microsoft maintainers"  # pylint: disable=redefined-builtin
title = "drkit.microsoft"
html_short_title = "drkit.microsoft"

extensions = ["sphinx.ext.intersphinx", "sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
intersphinx_mapping = {
    "ansible_devel": ("https://docs.ansible.com/projects/ansible/devel/", os.path.join(os.environ["DRKIT_DOCS_BUILD"], "ansible_devel.inv")),
}
default_role = "any"
nitpicky = True
