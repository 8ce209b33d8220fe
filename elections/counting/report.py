"""Human-readable text report of a count (for the CLI, e-mails and the published record)."""

from __future__ import annotations

import textwrap

from .common import display_number as num
from .model import CountResult

_NAMES = {
    "meek": "Meek STV (omega 1e-9, 18+9 digit guarded fixed point)",
    "wigm": "Weighted inclusive Gregory method STV (18+9 digit guarded fixed point)",
    "scottish": "Scottish STV (SSI 2007/42, 5-decimal fixed point)",
    "schulze": "Schulze method (winning votes)",
    "irv": "Instant-runoff voting",
    "approval": "Approval voting",
    "plurality": "Plurality (first preferences)",
}


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def format_text(result: CountResult) -> str:
    """Render the whole count: method, every round with its figures and reasons, ties, notes."""
    out = [
        f"Method: {_NAMES.get(result.method, result.method)}",
        f"Seats: {result.seats}    Valid votes: {num(result.total)}",
        f"Candidates: {', '.join(result.candidates)}",
        _tie_order_line(result),
        "",
    ]
    width = max((len(c) for c in result.candidates), default=10)
    for rnd in result.rounds:
        title = f"Round {rnd.number}" + (f" - {rnd.action}" if rnd.action else "")
        out.append(title)
        out.append("-" * len(title))
        if rnd.quota is not None:
            out.append(f"  Quota: {num(rnd.quota)}")
        for cand in result.candidates:
            line = f"  {cand.ljust(width)}  {num(rnd.votes.get(cand, ''))}"
            if cand in rnd.keep_factors and num(rnd.keep_factors[cand]) != "1":
                line += f"   keep factor {num(rnd.keep_factors[cand])}"
            out.append(line)
        if rnd.quota is not None:
            out.append(f"  {'Non-transferable'.ljust(width)}  {num(rnd.exhausted)}")
            out.append(f"  {'Lost to rounding'.ljust(width)}  {num(rnd.residue)}")
        for d in rnd.elected:
            out.append(_wrap(f"ELECTED {d.candidate}: {d.reason}"))
        for d in rnd.excluded:
            out.append(_wrap(f"EXCLUDED {d.candidate}: {d.reason}"))
        if rnd.explanation:
            out.append(_wrap(rnd.explanation.strip()))
        out.append("")
    out.append("Ties")
    out.append("----")
    if result.tie_rule:
        out.append(_wrap("Rule: " + result.tie_rule))
    decisive = [t for t in result.ties if t.decisive]
    for t in decisive:
        out.append(
            _wrap(
                f"Round {t.round}, {t.purpose}: {', '.join(t.candidates)} tied; "
                f"{t.chosen} chosen by {t.method}. {t.detail}"
            )
        )
    if not decisive:
        out.append(_wrap("No tie decided who is elected."))
    by_order = [t for t in decisive if t.method == "tie order"]
    if by_order:
        picks = "; ".join(f"round {t.round}: {t.chosen} of {', '.join(t.candidates)}" for t in by_order)
        out.append(_wrap(f"The tie order ({_source(result)}) decided {len(by_order)} tie(s): {picks}."))
    else:
        out.append(_wrap(f"The tie order ({_source(result)}) decided nothing."))
    minor = len(result.ties) - len(decisive)
    if minor:
        out.append(
            _wrap(
                f"{minor} other tie(s) did not change who is elected (broken another way, the "
                "same candidates win); they are listed with decisive: false in the JSON report."
            )
        )
    out.append("")
    if result.notes:
        out.append("Notes")
        out.append("-----")
        out.extend(_wrap(n) for n in result.notes)
        out.append("")
    out.append("Elected, in order: " + (", ".join(result.elected) or "nobody"))
    return "\n".join(out) + "\n"


def _source(result: CountResult) -> str:
    if result.tie_source == "seed":
        return f'SHA-256 of seed "{result.tie_seed}"'
    return {
        "order": "the published tie order",
        "file": "the ballot file's [tie] line",
    }.get(result.tie_source, "ballot-file candidate order: no seed was given")


def _tie_order_line(result: CountResult) -> str:
    order = " > ".join(result.tie_order) if result.tie_order else "(none)"
    if result.tie_source == "seed":
        head = f'Tie seed: "{result.tie_seed}"    Tie order (SHA-256 of "seed:name", ascending): '
    else:
        head = f"Tie seed: none    Tie order ({_source(result)}): "
    return head + order
