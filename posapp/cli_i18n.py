"""Command-line help and errors in one language: ours and argparse's own words together.

Our help texts are marked with `_()` like any other message; argparse's own words ("usage:",
"options", "show this help message and exit", its error messages) come from the standard
library's `gettext` under another domain that has no Italian. `localize_argparse()` points
argparse at posapp's catalog, so `posapp --help` on an Italian system is Italian throughout and
never half English. Words of a future Python that the catalog lacks stay in English.

`cli_language(argv)` picks the language for the command line: `--lang` when given, else the
settings file's language when there is one, else the system's (Italian unless it says English).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from posapp.i18n import (
    N_,
    chosen_or_system,
    current_language,
    ngettext,
    set_language,
    system_language,
    translator,
)

# argparse's user-facing words (Python 3.11-3.13), marked here so the extractor puts them in the
# catalog; argparse itself asks for them at run time through `localize_argparse`.
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def _argparse_gettext(message: str) -> str:
    return translator(current_language()).gettext(message)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return translator(current_language()).ngettext(singular, plural, n)


def localize_argparse() -> None:
    """Make argparse take its own words from posapp's catalog, in the language in force."""
    argparse._ = _argparse_gettext  # argparse looks its `_` up at call time
    argparse.ngettext = _argparse_ngettext


def cli_language(argv: Sequence[str]) -> str:
    """`--lang X` if given, else the saved settings' language, else the system's."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    from posapp.core.settings import Settings, default_path

    if default_path().is_file():  # Settings.load never raises: a bad file gives the defaults
        return chosen_or_system(Settings.load().language)
    return system_language()


def setup_cli(argv: Sequence[str]) -> str:
    """One call at the top of a command's main(): its language, argparse's words in it."""
    localize_argparse()
    return set_language(cli_language(argv))


def _marks_argparse_plural() -> str:  # never called: puts argparse's one plural in the catalog
    return ngettext("expected %s argument", "expected %s arguments", 2)
