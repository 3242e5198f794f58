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
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="training loss and validation accuracy per epoch">'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#d0d5dd"/>'
        f'<polyline fill="none" stroke="#4f46e5" stroke-width="2" points="{_points(losses, top_loss)}"/>'
        f'<polyline fill="none" stroke="#a5b4fc" stroke-width="2" stroke-dasharray="4 3" '
        f'points="{_points(val_losses, top_loss)}"/>'
        f'<polyline fill="none" stroke="#067647" stroke-width="2" points="{_points(accuracy, 1.0)}"/>'
        f'<text x="{PAD}" y="16" font-size="12" fill="#4f46e5">training loss</text>'
        f'<text x="{PAD + 100}" y="16" font-size="12" fill="#818cf8">validation loss</text>'
        f'<text x="{PAD + 210}" y="16" font-size="12" fill="#067647">validation accuracy '
        f"(0–1, last {accuracy[-1]:.3f})</text>"
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" text-anchor="end" fill="#667085">'
        f"epoch {len(history)}</text></svg>"
    )
