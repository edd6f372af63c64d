"""Every command's ``--timeout`` refuses what is not a time: a usage error (exit 2) that
says why in English and French, before anything is loaded."""

from __future__ import annotations

import argparse

import pytest

from accords_kg.cli import build_parser, main


def commands_with_timeout() -> list[str]:
    """The subcommands that take ``--timeout``, read from the parser itself (a command that
    gains the option is checked without editing this list)."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(
        name
        for name, parser in sub.choices.items()
        if any("--timeout" in action.option_strings for action in parser._actions)
    )


def test_query_and_serve_take_a_timeout() -> None:
    assert {"query", "serve"} <= set(commands_with_timeout())


@pytest.mark.parametrize("command", commands_with_timeout())
@pytest.mark.parametrize("value", ["0", "-1", "-0.5", "nan", "inf", "1e300", "abc", ""])
def test_a_timeout_that_is_not_a_time_is_a_usage_error(command: str, value: str, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([command, f"--timeout={value}"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "is not a number of seconds above 0" in err
    assert "n'est pas un nombre de secondes supérieur à 0" in err


def test_a_positive_timeout_is_accepted() -> None:
    args = build_parser().parse_args(["query", "who-signed", "--timeout", "0.5"])
    assert args.timeout == 0.5
