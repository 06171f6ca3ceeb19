"""Stripping the quoted reply history from the text of an email.

A reply carries the whole conversation below it; the case timeline already has it. We cut
at the first reply header that mail clients write (English and Chinese), and drop
">"-quoted lines. If nothing is left, the text is kept whole rather than lost.
"""

import re

# A line that starts the quoted history on its own.
CUT_LINE = re.compile(
    r"""^\s*(
        -{2,}\s*original\s+message\s*-{2,}          # Outlook, old style
      | -{2,}\s*原始邮件\s*-{2,}                     # Foxmail / QQ Mail / NetEase
      | -{2,}\s*回复的原邮件\s*-{2,}
      | -{2,}\s*forwarded\s+message\s*-{2,}
      | on\s.{1,300}\swrote:\s*                     # Gmail, Apple Mail, Thunderbird
      | 在\s?.{1,300}写道\s*[:：]\s*                 # the same clients in Chinese
      | .{1,300}于\s?.{1,100}写道\s*[:：]\s*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# A header block: "From:" followed within a few lines by "Sent:"/"Date:" (Outlook), or the
# Chinese equivalents.
BLOCK_START = re.compile(r"^\s*\*?\s*(from|发件人|寄件者)\s*\*?\s*[:：]", re.IGNORECASE)
BLOCK_NEXT = re.compile(
    r"^\s*\*?\s*(sent|date|to|subject|发送时间|时间|日期|收件人|主题|寄件日期|收件者)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
ON_START = re.compile(r"^\s*(on\s|在\s?)", re.IGNORECASE)


def _cut_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if CUT_LINE.match(line):
            return i
        # "On Mon, 1 Jan 2026 at 10:00, Someone <a@b>" / "wrote:" wrapped over two lines.
        joined = line.rstrip() + " " + (lines[i + 1].strip() if i + 1 < len(lines) else "")
        if ON_START.match(line) and i + 1 < len(lines) and CUT_LINE.match(joined):
            return i
        if BLOCK_START.match(line):
            following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()]
            if any(BLOCK_NEXT.match(ln) for ln in following[:4]):
                # Outlook draws a rule just above the block.
                if i > 0 and re.fullmatch(r"\s*[_\-=]{5,}\s*", lines[i - 1]):
                    return i - 1
                return i
    return None


def strip_quoted_reply(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _cut_index(lines)
    if cut is not None:
        lines = lines[:cut]
    lines = [ln for ln in lines if not ln.lstrip().startswith(">")]
    stripped = "\n".join(lines).strip()
    stripped = re.sub(r"\n{3,}", "\n\n", stripped)
    return stripped or text.strip()
