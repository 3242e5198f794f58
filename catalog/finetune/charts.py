"""Small server-side SVG charts (no JavaScript library needed)."""

from __future__ import annotations

WIDTH, HEIGHT, PAD = 560, 180, 28


def _points(values: list[float], top: float) -> str:
    count = max(len(values) - 1, 1)
    span = max(top, 1e-9)
    return " ".join(
        f"{PAD + i * (WIDTH - 2 * PAD) / count:.1f},"
        f"{HEIGHT - PAD - (v / span) * (HEIGHT - 2 * PAD):.1f}"
        for i, v in enumerate(values)
    )


def training_chart_svg(history: list[dict]) -> str:
    losses = [float(h.get("train_loss", 0)) for h in history]
    val_losses = [float(h.get("val_loss", 0)) for h in history]
    accuracy = [float(h.get("val_accuracy", 0)) for h in history]
    top_loss = max(losses + val_losses + [1e-9])
    axis_y = HEIGHT - PAD
    line = '<polyline fill="none" stroke="{}" stroke-width="2" {}points="{}"/>'
    return "".join(
        [
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            'aria-label="training loss and validation accuracy per epoch">',
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
            f'<line x1="{PAD}" y1="{axis_y}" x2="{WIDTH - PAD}" y2="{axis_y}" stroke="#d0d5dd"/>',
            line.format("#4f46e5", "", _points(losses, top_loss)),
            line.format("#a5b4fc", 'stroke-dasharray="4 3" ', _points(val_losses, top_loss)),
            line.format("#067647", "", _points(accuracy, 1.0)),
            f'<text x="{PAD}" y="16" font-size="12" fill="#4f46e5">training loss</text>',
            f'<text x="{PAD + 100}" y="16" font-size="12" fill="#818cf8">validation loss</text>',
            f'<text x="{PAD + 210}" y="16" font-size="12" fill="#067647">validation accuracy '
            f"(0 to 1, last {accuracy[-1]:.3f})</text>",
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" text-anchor="end" '
            f'fill="#667085">epoch {len(history)}</text></svg>',
        ]
    )
