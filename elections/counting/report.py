"""Human-readable text report of a count (for the CLI, e-mails and the published record)."""

from __future__ import annotations

import textwrap

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
        f"Seats: {result.seats}    Valid votes: {result.total}",
        f"Candidates: {', '.join(result.candidates)}",
        "",
    ]
    width = max((len(c) for c in result.candidates), default=10)
    for rnd in result.rounds:
        title = f"Round {rnd.number}" + (f" - {rnd.action}" if rnd.action else "")
        out.append(title)
        out.append("-" * len(title))
        if rnd.quota is not None:
            out.append(f"  Quota: {rnd.quota}")
        for cand in result.candidates:
            line = f"  {cand.ljust(width)}  {rnd.votes.get(cand, '')}"
            if cand in rnd.keep_factors and rnd.keep_factors[cand] not in ("1." + "0" * 18,):
                line += f"   keep factor {rnd.keep_factors[cand]}"
            out.append(line)
        if rnd.quota is not None:
            out.append(f"  {'Non-transferable'.ljust(width)}  {rnd.exhausted}")
            out.append(f"  {'Lost to rounding'.ljust(width)}  {rnd.residue}")
        for d in rnd.elected:
            out.append(_wrap(f"ELECTED {d.candidate}: {d.reason}"))
        for d in rnd.excluded:
            out.append(_wrap(f"EXCLUDED {d.candidate}: {d.reason}"))
        if rnd.explanation:
            out.append(_wrap(rnd.explanation.strip()))
        out.append("")
    if result.ties:
        out.append("Ties")
        out.append("----")
        for t in result.ties:
            out.append(
                _wrap(
                    f"Round {t.round}, {t.purpose}: {', '.join(t.candidates)} tied; "
                    f"{t.chosen} chosen by {t.method}. {t.detail}"
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
