"""Small server-side SVG charts (no JavaScript library needed): the learning curve with a
loss axis on the left, an accuracy axis (0 to 1) on the right and epochs below."""

from __future__ import annotations

import math

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 52, 30, 40  # room for tick labels, axis titles, legend
LOSS, VAL_LOSS, ACCURACY, AXIS, GRID, TEXT = (
    "#4f46e5", "#7c3aed", "#067647", "#98a2b3", "#eaecf0", "#475467",
)  # fmt: skip


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps (1, 2 or 5 x 10^k) up to the first tick at or above ``top``."""
    top = max(top, 1e-9)
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-12:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _label(value: float) -> str:
    return f"{value:g}" if value >= 0.01 or value == 0 else f"{value:.0e}"


class _Frame:
    """Maps (epoch, value) onto the plot area."""

    def __init__(self, first: int, last: int, top: float) -> None:
        self.first, self.span_x, self.top = first, max(last - first, 1), top
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(self, epoch: float) -> float:
        return LEFT + (epoch - self.first) / self.span_x * self.width

    def y(self, value: float, top: float | None = None) -> float:
        return TOP + self.height - value / (top or self.top) * self.height


def _polyline(points: list[tuple[float, float]], colour: str, dashed: bool = False) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = 'stroke-dasharray="5 3" ' if dashed else ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" {dash}points="{coords}"/>'


def _text(x: float, y: float, text: str, anchor: str = "middle", colour: str = TEXT, **extra):
    attrs = "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="{anchor}" '
        f'fill="{colour}"{attrs}>{text}</text>'
    )


def _axes(frame: _Frame, loss_ticks: list[float], epoch_ticks: list[int]) -> list[str]:
    bottom, right = TOP + frame.height, LEFT + frame.width
    parts = [f'<g class="axis y-axis loss-axis" stroke="{AXIS}">',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/></g>']  # fmt: skip
    for tick in loss_ticks:
        y = frame.y(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(LEFT - 6, y + 4, _label(tick), "end", class_="tick loss-tick"))
    parts.append(f'<line x1="{right}" y1="{TOP}" x2="{right}" y2="{bottom}" stroke="{AXIS}"/>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = frame.y(tick, 1.0)
        parts.append(
            _text(right + 6, y + 4, f"{tick:g}", "start", ACCURACY, class_="tick acc-tick")
        )
    parts.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{AXIS}"/>')
    for epoch in epoch_ticks:
        x = frame.x(epoch)
        parts.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" '
                     f'stroke="{AXIS}"/>')  # fmt: skip
        parts.append(_text(x, bottom + 16, str(epoch), class_="tick epoch-tick"))
    middle = TOP + frame.height / 2
    parts += [
        _text(LEFT + frame.width / 2, HEIGHT - 4, "epoch", class_="axis-title"),
        _text(14, middle, "loss", transform=f"rotate(-90 14 {middle:.1f})", class_="axis-title"),
        _text(WIDTH - 10, middle, "accuracy", colour=ACCURACY,
              transform=f"rotate(90 {WIDTH - 10} {middle:.1f})", class_="axis-title"),
    ]  # fmt: skip
    return parts


def _epoch_ticks(first: int, last: int) -> list[int]:
    """The first and last epoch, and round multiples between them that do not crowd those."""
    if last <= first:
        return [first]
    step = max(1, int(nice_ticks(last - first, 5)[1]))
    middle = range((first // step + 1) * step, last, step)
    return [first, *(t for t in middle if t - first >= step / 2 and last - t >= step / 2), last]


def training_chart_svg(history: list[dict]) -> str:
    epochs = [int(h.get("epoch", i + 1)) for i, h in enumerate(history)]
    losses = [float(h.get("train_loss") or 0) for h in history]
    val_losses = [float(h["val_loss"]) for h in history if h.get("val_loss") is not None]
    accuracy = [float(h.get("val_accuracy") or 0) for h in history]
    loss_ticks = nice_ticks(max(losses + val_losses + [1e-9]))
    frame = _Frame(epochs[0], epochs[-1], loss_ticks[-1])

    def series(values: list[float], top: float | None = None) -> list[tuple[float, float]]:
        return [(frame.x(e), frame.y(v, top)) for e, v in zip(epochs, values, strict=False)]

    val_points = [
        (frame.x(e), frame.y(float(h["val_loss"])))
        for e, h in zip(epochs, history, strict=True)
        if h.get("val_loss") is not None
    ]
    legend_y = 16
    return "".join(
        [
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            'aria-label="training loss, validation loss and validation accuracy per epoch">',
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
            *_axes(frame, loss_ticks, _epoch_ticks(epochs[0], epochs[-1])),
            _polyline(series(losses), LOSS),
            _polyline(val_points, VAL_LOSS, dashed=True),
            _polyline(series(accuracy, 1.0), ACCURACY),
            _text(LEFT, legend_y, "training loss", "start", LOSS),
            _text(LEFT + 95, legend_y, "validation loss (dashed)", "start", VAL_LOSS),
            _text(LEFT + 250, legend_y, f"validation accuracy (last {accuracy[-1]:.3f})",
                  "start", ACCURACY),
            "</svg>",
        ]
    )  # fmt: skip
