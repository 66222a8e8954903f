#!/usr/bin/env python3
"""Turn a terminal screen captured with `tmux capture-pane -e -p` into an SVG picture.

Reads the capture on standard input and writes SVG on standard output:

    tmux capture-pane -e -p -t NAME | scripts/ansi2svg.py --cols 120 --rows 35 > shot.svg

It understands what tmux writes for a pane: SGR colours (the 16 named colours, 256-colour
indexes, 24-bit RGB), bold, dim, italic, underline, reverse. Every other escape sequence
is dropped. Each cell is placed on a fixed grid, so box drawing lines up whatever the
viewer's font; double-width characters take two cells.
"""

import argparse
import html
import re
import sys
import unicodedata

# The terminal's colours (xterm's defaults, on a dark background).
PALETTE = [
    "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
]
FG = "#d4d4d4"
BG = "#1e1e1e"
CELL_W = 8.4
CELL_H = 17
FONT = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace"


def color256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.dim, self.italic, self.underline, self.reverse)

    def sgr(self, params):
        p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
        i = 0
        while i < len(p):
            c = p[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = PALETTE[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(p):
                if p[i + 1] == 5 and i + 2 < len(p):
                    col = color256(p[i + 2])
                    i += 2
                elif p[i + 1] == 2 and i + 4 < len(p):
                    col = "#%02x%02x%02x" % tuple(p[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                if c == 38:
                    self.fg = col
                else:
                    self.bg = col
            i += 1


TOKEN = re.compile(r"\x1b\[([0-9;:]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.|([^\x1b])", re.S)


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text, cols, rows):
    """The screen as rows of cells: (char, style key)."""
    style = Style()
    grid = [[(" ", style.key()) for _ in range(cols)] for _ in range(rows)]
    lines = text.split("\n")
    for y, line in enumerate(lines[:rows]):
        x = 0
        for m in TOKEN.finditer(line):
            if m.group(2) == "m":
                style.sgr(m.group(1).replace(":", ";"))
            elif m.group(3) is not None:
                ch = m.group(3)
                if ch == "\r":
                    continue
                w = width(ch)
                if w == 0 or x >= cols:
                    continue
                grid[y][x] = (ch, style.key())
                if w == 2 and x + 1 < cols:
                    grid[y][x + 1] = ("", style.key())
                x += w
    return grid


def render(grid, cols, rows):
    w = cols * CELL_W
    h = rows * CELL_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.1f} {h}" font-family="{FONT}" font-size="14">',
        f'<rect width="100%" height="100%" fill="{BG}"/>',
    ]
    for y, row in enumerate(grid):
        # Backgrounds, one rectangle per run of a colour.
        x = 0
        while x < cols:
            fg, bg, bold, dim, italic, underline, reverse = row[x][1]
            fill = (fg or FG) if reverse else bg
            start = x
            while x < cols:
                k = row[x][1]
                f2 = (k[0] or FG) if k[6] else k[1]
                if f2 != fill:
                    break
                x += 1
            if fill:
                out.append(
                    f'<rect x="{start * CELL_W:.1f}" y="{y * CELL_H}" '
                    f'width="{(x - start) * CELL_W:.1f}" height="{CELL_H}" fill="{fill}"/>'
                )
        # Text, one element per run of a style, stretched to its cells so every
        # character sits on the grid whatever the font.
        x = 0
        while x < cols:
            k = row[x][1]
            start = x
            chars = []
            while x < cols and row[x][1] == k:
                chars.append(row[x][0])
                x += 1
            text = "".join(chars)
            if not text.strip():
                continue
            fg, bg, bold, dim, italic, underline, reverse = k
            color = (bg or BG) if reverse else (fg or FG)
            attrs = f'fill="{color}"'
            if bold:
                attrs += ' font-weight="bold"'
            if dim:
                attrs += ' opacity="0.6"'
            if italic:
                attrs += ' font-style="italic"'
            if underline:
                attrs += ' text-decoration="underline"'
            out.append(
                f'<text x="{start * CELL_W:.1f}" y="{y * CELL_H + 13}" {attrs} '
                f'textLength="{(x - start) * CELL_W:.1f}" lengthAdjust="spacingAndGlyphs" '
                f'xml:space="preserve">{html.escape(text)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=35)
    a = ap.parse_args()
    text = sys.stdin.read()
    sys.stdout.write(render(parse(text, a.cols, a.rows), a.cols, a.rows))


if __name__ == "__main__":
    main()
