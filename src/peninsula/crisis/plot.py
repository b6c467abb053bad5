"""Fan charts of simulated tension per policy (an output edge: writes one file atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from peninsula.crisis.simulate import CrisisResult
from peninsula.errors import InputError, Located
from peninsula.files import check_writable, write_bytes, write_text


def _month_labels(start: str, horizon: int) -> list[str]:
    year, month = int(start[:4]), int(start[5:])
    out = []
    for _ in range(horizon):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        out.append(f"{year}-{month:02d}")
    return out


def check_plot_path(path: str | Path) -> Path:
    """Refuse a fan-chart path that cannot be written, before the (long) simulation runs."""
    out = Path(path)
    if out.suffix.lower() not in (".png", ".html"):
        raise InputError([Located("plot file must end in .png or .html", file=out)])
    if not out.parent.exists():
        raise InputError([Located("directory does not exist", file=out.parent)])
    return check_writable(out)


def fan_chart(result: CrisisResult, path: str | Path) -> Path:
    """Median tension with 50% and 90% bands per policy; ``.png`` (matplotlib) or ``.html``.

    The HTML embeds plotly.js (~4.6 MB) rather than loading it from a CDN, so the chart
    works offline and fetches nothing.
    """
    out = check_plot_path(path)
    suffix = out.suffix.lower()
    months = _month_labels(result.start, result.horizon)
    if suffix == ".html":
        import plotly.graph_objects as go

        fig = go.Figure()
        for policy in result.policies:
            q = result.tension_bands(policy)
            label = result.labels.get(policy, policy)
            fig.add_trace(go.Scatter(x=months, y=q[4], line={"width": 0}, showlegend=False))
            fig.add_trace(
                go.Scatter(
                    x=months,
                    y=q[0],
                    fill="tonexty",
                    line={"width": 0},
                    opacity=0.2,
                    name=f"{label} 90%",
                )
            )
            fig.add_trace(go.Scatter(x=months, y=q[2], name=f"{label} median"))
        fig.add_hline(y=result.threshold, line_dash="dash", annotation_text="crisis threshold")
        fig.update_layout(title="Simulated tension by policy", yaxis_title="tension (-1..1)")
        write_text(out, fig.to_html(include_plotlyjs=True))
        return out
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(result.policies)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.2 * rows), sharey=True, squeeze=False)
    x = np.arange(1, result.horizon + 1)
    for ax, policy in zip(axes.ravel(), result.policies, strict=False):
        q = result.tension_bands(policy)
        ax.fill_between(x, q[0], q[4], alpha=0.2, color="tab:red", label="90%")
        ax.fill_between(x, q[1], q[3], alpha=0.35, color="tab:red", label="50%")
        ax.plot(x, q[2], color="tab:red", label="median")
        ax.axhline(result.threshold, ls="--", color="black", lw=0.8, label="crisis threshold")
        ax.set_title(result.labels.get(policy, policy)[:48], fontsize=9)
        ax.set_xlabel(f"months after {result.start}")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    axes[0, 0].set_ylabel("tension")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    write_bytes(out, buffer.getvalue())
    return out
